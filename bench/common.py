"""What every bench shares, so each one measures the same honest way (issue 19 §1).

- `scratch_database`: a PostgreSQL database with a name unique to this run
  (`atlas_bench_<bench>_<label>_<pid>_<random>`), migrated, dropped afterwards; a bench
  never drops a database it did not create.
- `serve_env`: `make serve`'s environment (scripts/serve.sh): DEBUG off,
  ATLAS_BEHIND_TLS=false (plain http://127.0.0.1, so nothing answers 301), JSON logs,
  persistent DB connections as served, response caches off, throttles explicitly off
  (a throttle answers 429 to a load test; the line printed by `describe_env` says so).
- `Gunicorn`: the Procfile's web command (config.gunicorn, access log) on 127.0.0.1.
- `get`/`timed_gets`: real HTTP requests, one connection each (gunicorn's sync workers
  close the connection after each answer, as served); any status not expected raises.
- `wrk`: throughput with a script that makes every query string unique and counts
  every answer outside 2xx (3xx included) as an error.
- `Verdicts`: one line per goal, with the figure, the goal, PASS/FAIL and the load
  average; smoke runs (tiny sizes) print the lines but judge nothing.
"""

from __future__ import annotations

import atexit
import http.client
import itertools
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # runs the `finally` blocks: servers stop, databases drop


signal.signal(signal.SIGTERM, _exit_on_term)


class BenchError(RuntimeError):
    """The bench met something it did not expect (a status, a crash): it fails."""


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}/{fifteen:.2f}"


def db_url(pg: str, name: str) -> str:
    return pg.rsplit("/", 1)[0] + "/" + name


def unique_name(bench: str, label: str = "") -> str:
    parts = ["atlas_bench", bench, label, str(os.getpid()), secrets.token_hex(3)]
    return "_".join(p for p in parts if p).lower().replace("-", "_")


def _admin(pg: str):
    import psycopg

    return psycopg.connect(db_url(pg, "postgres"), autocommit=True)


def pg_available(pg: str = DEFAULT_PG) -> bool:
    try:
        with _admin(pg):
            return True
    except Exception:
        return False


def database_create(pg: str, name: str) -> str:
    """CREATE DATABASE `name` (which must not exist) and migrate it; returns its URL."""
    with _admin(pg) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = db_url(pg, name)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=serve_env(url))
    return url


def database_drop(pg: str, name: str) -> None:
    if not name.startswith("atlas_bench_"):
        raise BenchError(f"refusing to drop {name!r}: not a bench database")
    with _admin(pg) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_database(
    bench: str, label: str = "", *, pg: str = DEFAULT_PG, keep: bool = False, reuse: str = ""
) -> Iterator[str]:
    """A migrated database of this run's own (or `reuse`, an existing bench database,
    left in place); dropped on exit unless `keep`. Yields its URL."""
    if reuse:  # bring it to this checkout's schema and derived data
        url = db_url(pg, reuse)
        subprocess.run(
            [PY, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=serve_env(url)
        )
        from bench.synth import derived_refresh

        print(f"  reusing {reuse}: migrated; {derived_refresh(url)}", flush=True)
        yield url
        return
    name = unique_name(bench, label)
    url = database_create(pg, name)
    try:
        yield url
    finally:
        if keep:
            print(f"  kept database {name} (drop it with: dropdb -h 127.0.0.1 -U postgres {name})")
        else:
            database_drop(pg, name)


def serve_env(url: str, **overrides: str) -> dict[str, str]:
    """`make serve`'s environment for `url` (see the module docstring)."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "ATLAS_BEHIND_TLS": "false",
        "ATLAS_TESTING": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-" + "x" * 20,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "API_LIST_CACHE_SECONDS": "0",
        "PLANNER_CATALOG_CACHE_SECONDS": "0",
        "API_THROTTLE_ANON": "off",
        "API_THROTTLE_USER": "off",
    }
    env.pop("CELERY_BROKER_URL", None)  # tasks a request starts run in-process
    env.setdefault("CONN_MAX_AGE", _serve_default("CONN_MAX_AGE") or "0")
    env.update(overrides)
    return env


def _serve_default(name: str) -> str | None:
    """The default scripts/serve.sh exports for `name` (`export NAME="${NAME:-value}"`)."""
    text = (ROOT / "scripts" / "serve.sh").read_text()
    marker = f'export {name}="${{{name}:-'
    start = text.find(marker)
    if start < 0:
        return None
    start += len(marker)
    return text[start : text.index("}", start)]


def describe_env(env: dict[str, str], workers: int) -> str:
    return (
        f"settings: DEBUG={env['DJANGO_DEBUG']} ATLAS_BEHIND_TLS={env['ATLAS_BEHIND_TLS']} "
        f"CONN_MAX_AGE={env.get('CONN_MAX_AGE')} API_LIST_CACHE_SECONDS="
        f"{env['API_LIST_CACHE_SECONDS']} throttles anon={env['API_THROTTLE_ANON']} "
        f"user={env['API_THROTTLE_USER']} (off: a throttle would answer 429 to a load "
        f"test); gunicorn {workers} sync worker(s), Procfile flags, access log on"
    )


def free_port() -> int:
    """A port in h-bench's range 18800-18899 when BENCH_PORTS is unset and one is free."""
    low, high = (int(p) for p in os.environ.get("BENCH_PORTS", "18800-18899").split("-"))
    for port in range(low + secrets.randbelow(high - low), high + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """The Procfile's web process on 127.0.0.1 serving `env`'s database."""

    def __init__(self, env: dict[str, str], workers: int = 1) -> None:
        self.env, self.workers = env, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    _static_root: str = ""  # collected once per bench process (manifest storage needs it)

    def __enter__(self) -> Gunicorn:
        if not Gunicorn._static_root:
            static = tempfile.mkdtemp(prefix="atlas-bench-static-")
            subprocess.run(
                [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=ROOT, env={**self.env, "STATIC_ROOT": static}, check=True,
            )  # fmt: skip
            Gunicorn._static_root = static
            atexit.register(shutil.rmtree, static, True)
        self.env = {**self.env, "STATIC_ROOT": Gunicorn._static_root}
        # Logs (the access log included) go to a file: an unread pipe fills and blocks.
        self.log = tempfile.NamedTemporaryFile(prefix="atlas-bench-gunicorn-", suffix=".log")
        self.process = subprocess.Popen(
            [PY, "-m", "gunicorn", "config.wsgi", "--config", "python:config.gunicorn",
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
             "--access-logfile", "-", "--graceful-timeout", "5", "--no-control-socket"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(self.base, "/healthz", expect=(200,))[0] == 200:
                    return self
            except (OSError, BenchError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                err = self.log_tail()
                self.__exit__()
                raise BenchError(f"gunicorn did not start: {err}")
            time.sleep(0.2)

    def log_tail(self, size: int = 3000) -> str:
        return Path(self.log.name).read_text(errors="replace")[-size:]

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def get(base: str, path: str, *, expect: tuple[int, ...] = (200,)) -> tuple[int, float, bytes]:
    """One GET on a new connection: (status, seconds to the last byte, body)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        started = time.perf_counter()
        conn.request("GET", path, headers={"Accept": "text/html,application/json"})
        response = conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
    finally:
        conn.close()
    if response.status not in expect:
        raise BenchError(f"GET {path}: HTTP {response.status} (expected {expect}): {body[:300]!r}")
    return response.status, elapsed, body


_REQUESTS = itertools.count()


def unique(path: str, i: int = 0) -> str:
    """`path` with a query parameter no view reads, so no cache can answer it twice."""
    return f"{path}{'&' if '?' in path else '?'}_bench={os.getpid()}-{i}-{next(_REQUESTS)}"


def timed_gets(base: str, path: str, n: int, *, warmup: int = 2, start: int = 0) -> list[float]:
    """Seconds for `n` sequential GETs of `path`, each with its own query string."""
    for i in range(warmup):
        get(base, unique(path, -1 - i))
    return [get(base, unique(path, start + i))[1] for i in range(n)]


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def p95_ms(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


WRK_LUA = """
-- every request gets its own query string; any answer outside 2xx counts as bad
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  bad = 0
  path = wrk.path
  sep = string.find(path, "?", 1, true) and "&" or "?"
end
function request()
  counter = counter + 1
  return wrk.format("GET", path .. sep .. "_bench=" .. id .. "-" .. counter)
end
function response(status, headers, body)
  if status < 200 or status >= 300 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), b, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class WrkResult:
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk(url: str, seconds: float, connections: int) -> WrkResult:
    """wrk on `url` (unique query strings); raises BenchError on any non-2xx or socket
    error (wrk itself counts only >= 400 as errors)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA)
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{max(1, int(seconds))}s", "--timeout", "20s",
             "-s", f.name, url],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(f.name)
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    requests, duration_us, p50, p95, p99, bad, socket_errors = (int(v) for v in line.split()[1:])
    if bad or socket_errors:
        raise BenchError(f"{url}: {bad} non-2xx answers, {socket_errors} socket errors")
    if not requests:  # no figure at all is a failure, never a 0 ms p95
        raise BenchError(f"{url}: no request completed in {seconds} s")
    return WrkResult(requests / (duration_us / 1e6), p50 / 1000, p95 / 1000, p99 / 1000, requests)


def python_load(base: str, path: str, seconds: float, connections: int) -> WrkResult:
    """A small stand-in for wrk (smoke runs, or no wrk installed): `connections`
    threads of sequential GETs with unique query strings; any non-2xx raises."""
    import threading

    times: list[float] = []
    errors: list[BaseException] = []
    stop = time.monotonic() + seconds

    def worker(w: int) -> None:
        i = 0
        try:
            while time.monotonic() < stop:
                times.append(get(base, unique(path, w * 1_000_000 + i))[1])
                i += 1
        except BaseException as exc:
            errors.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    elapsed = time.perf_counter() - started
    ordered = sorted(times) or [0.0]
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))] * 1000  # noqa: E731
    return WrkResult(len(times) / elapsed, pick(0.5), pick(0.95), pick(0.99), len(times))


@dataclass
class Verdicts:
    """Goal lines: `figure  goal  PASS/FAIL  (load ...)`; smoke runs judge nothing."""

    smoke: bool = False
    lines: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    def check(self, label: str, figure: str, goal: str, ok: bool) -> bool:
        verdict = "(smoke)" if self.smoke else ("PASS" if ok else "FAIL")
        self.lines.append((label, figure, goal, verdict, load_average()))
        return ok

    @property
    def failed(self) -> int:
        return sum(1 for line in self.lines if line[3] == "FAIL")

    def print(self, title: str) -> None:
        note = " (smoke run: tiny sizes, not judged)" if self.smoke else ""
        print(f"\n== goals: {title}{note}")
        width = max([len(line[0]) for line in self.lines] + [10])
        for label, figure, goal, verdict, load in self.lines:
            print(f"  {label:<{width}}  {figure:>24}  goal {goal:<16} {verdict:<7} {load}")
        if not self.smoke:
            print(f"  {len(self.lines) - self.failed} PASS, {self.failed} FAIL")


def run_django(url: str, code: str, **env: str) -> str:
    """Run `code` in a Django process on `url` (serve settings); returns its stdout."""
    script = "import django\ndjango.setup()\n" + code
    result = subprocess.run(
        [PY, "-c", script], cwd=ROOT, env=serve_env(url, **env), capture_output=True, text=True
    )
    if result.returncode:
        raise BenchError(f"django step failed:\n{result.stderr[-3000:]}")
    return result.stdout


def repeat_note(values: list[float]) -> str:
    """How noisy repeated figures were: min-max spread as a share of their median."""
    if len(values) < 2:
        return "1 run"
    mid = statistics.median(values)
    return f"{len(values)} runs, spread {(max(values) - min(values)) / mid:.0%}" if mid else ""
