"""Load test: gunicorn (4 workers) on 127.0.0.1 with the demo snapshot, driven by wrk.

    .venv/bin/python bench/load.py                    # 64 connections, 60 s per endpoint
    .venv/bin/python bench/load.py --duration 5       # a quick check
    .venv/bin/python bench/load.py --database-url sqlite   # a throwaway SQLite file
    .venv/bin/python bench/load.py --snapshot /tmp/full-snapshot.json.gz  # another export

Endpoints: home, catalog, model page, API list, API detail, plan POST; an endpoint this
build does not serve is skipped and the table says why. Prints req/s, p50/p95/p99 and
errors (socket errors + 4xx/5xx answers) per endpoint, then the targets: 0 errors,
0 5xx, catalog p99 <= 5x its p50. Data: `--snapshot`, else data/demo_snapshot.json.gz,
else the `hub` branch's copy (`git show`), else a few hundred synthesized models. The database
(default postgres://postgres@127.0.0.1:5432/atlas_bench) is replaced each run.
Anonymous API throttling is raised for the run (it would otherwise answer 429).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SYNTH = """
from catalog.models import Model, Organization, Task
org = Organization.objects.create(slug="synth", name="Synthetic")
task = Task.objects.create(slug="text-generation", name="Text generation")
Model.objects.bulk_create(
    Model(repo_id=f"synth/model-{i:04d}", name=f"Model {i}", organization=org, task=task,
          downloads=10_000 - i, params_total=(i + 1) * 10**8, num_layers=32,
          hidden_size=4096, num_heads=32, num_kv_heads=8, context_tokens=8192)
    for i in range({n})
)
"""
PLAN_BODY = {
    "task": "text-generation",
    "requests_per_day": 10000,
    "input_tokens": 1000,
    "output_tokens": 300,
}


def sh(cmd: list[str], env: dict[str, str], **kw: object) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, text=True, **kw)


def prepare(env: dict[str, str], n_synth: int, tmp: Path, snapshot_path: str = "") -> str:
    """Migrate, load data, collect static; returns where the data came from."""
    url = env["DATABASE_URL"]
    if url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    sh([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    sh([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    snapshot = ROOT / "data" / "demo_snapshot.json.gz"
    source = str(snapshot.relative_to(ROOT))
    if snapshot_path:
        snapshot = Path(snapshot_path).resolve()
        source = str(snapshot)
    elif not snapshot.exists():
        got = subprocess.run(
            ["git", "show", "hub:data/demo_snapshot.json.gz"], cwd=ROOT, capture_output=True
        )
        if got.returncode == 0 and got.stdout:
            snapshot = tmp / "demo_snapshot.json.gz"
            snapshot.write_bytes(got.stdout)
            source = "hub:data/demo_snapshot.json.gz"
        else:
            sh([PY, "manage.py", "shell", "-c", SYNTH.format(n=n_synth)], env)
            return f"{n_synth} synthesized models (no demo snapshot on this branch or hub)"
    sh([PY, "manage.py", "load_snapshot", str(snapshot), "--replace"], env, capture_output=True)
    return source


def get(base: str, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def post(base: str, path: str, body: dict) -> tuple[int, bytes]:
    req = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def endpoints(base: str, env: dict[str, str]) -> list[tuple[str, str, str, str | None, str]]:
    """(name, method, path, body, skip reason) for each endpoint."""
    repo = subprocess.run(
        [PY, "manage.py", "shell", "-c",
         "from catalog.selectors import model_list; m = model_list().first(); "
         "print(m.repo_id if m else '')"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1:]  # fmt: skip
    repo = repo[0] if repo else ""
    found: list[tuple[str, str, str, str | None, str]] = [
        ("home", "GET", "/", None, ""),
        ("catalog", "GET", "/models/", None, ""),
        ("model page", "GET", f"/models/{repo}/", None, "" if repo else "no model loaded"),
    ]
    status, body = get(base, "/api/models/")
    detail, reason = "", ""
    if status != 200:
        found.append(("API list", "GET", "/api/models/", None, f"GET /api/models/ -> {status}"))
        reason = "no API list"
    else:
        found.append(("API list", "GET", "/api/models/", None, ""))
        results = json.loads(body).get("results") or []
        first = results[0] if results else {}
        if first.get("url"):
            detail = urllib.request.urlparse(first["url"]).path
        else:
            for key in ("slug", "repo_id", "id"):
                if key in first and get(base, f"/api/models/{first[key]}/")[0] == 200:
                    detail = f"/api/models/{first[key]}/"
                    break
        reason = "" if detail else "no detail URL found in the API list"
    found.append(("API detail", "GET", detail or "/api/models/?/", None, reason))
    status, _ = post(base, "/api/plans/", PLAN_BODY)
    plan_reason = "" if status in (200, 201) else f"POST /api/plans/ -> {status} (sample body)"
    found.append(("plan POST", "POST", "/api/plans/", json.dumps(PLAN_BODY), plan_reason))
    return found


def wrk(base: str, path: str, method: str, body: str | None, args: argparse.Namespace) -> dict:
    env = {**os.environ, "WRK_METHOD": method, "WRK_BODY": body or ""}
    out = subprocess.run(
        ["wrk", "-t", str(args.threads), "-c", str(args.connections),
         "-d", f"{args.duration}s", "--timeout", "10s",
         "-s", str(ROOT / "bench" / "wrk_report.lua"), base + path],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    return json.loads(line.removeprefix("WRK_JSON "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/atlas_bench",
        help="'sqlite' for a throwaway SQLite file",
    )
    parser.add_argument("--synthesize", type=int, default=400, help="models if no snapshot")
    parser.add_argument("--snapshot", default="", help="an export_snapshot file to load")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (Debian: apt-get install -y wrk)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    db_url = args.database_url
    if db_url == "sqlite":
        db_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("ATLAS_TESTING", "DJANGO_DEBUG")},
        "DATABASE_URL": db_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ATLAS_BEHIND_TLS": "false",
        "CELERY_BROKER_URL": "",
        "STATIC_ROOT": str(tmp / "static"),
        "LOG_LEVEL": "ERROR",
        "API_THROTTLE_ANON": "100000000/min",
        "API_THROTTLE_USER": "100000000/min",
        "CONN_MAX_AGE": "60",
    }
    source = prepare(env, args.synthesize, tmp, args.snapshot)
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{args.port}",
         "--workers", str(args.workers), "--log-level", "warning", "--no-control-socket"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(base, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("gunicorn did not come up", file=sys.stderr)
                return 1
            time.sleep(0.3)
        print(
            f"data: {source}; gunicorn {args.workers} workers; wrk {args.connections} "
            f"connections, {args.threads} threads, {args.duration}s per endpoint; DB {db_url}"
        )
        header = f"{'endpoint':<12} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        print(header + f"{'errors':>7} {'5xx':>5}  path")
        results: dict[str, dict] = {}
        for name, method, path, body, skip in endpoints(base, env):
            if skip:
                print(f"{name:<12} {'skipped':>9}  {skip}")
                continue
            r = wrk(base, path, method, body, args)
            results[name] = r
            rps = r["requests"] / (r["duration_us"] / 1e6)
            if not r["requests"]:
                r["socket_errors"] += 1  # nothing answered within the run: count it
            errors = r["socket_errors"] + r["status_4xx_5xx"]
            print(
                f"{name:<12} {rps:>9.1f} {r['p50_us'] / 1000:>8.1f} {r['p95_us'] / 1000:>8.1f} "
                f"{r['p99_us'] / 1000:>8.1f} {errors:>7} {r['status_5xx']:>5}  {method} {path}"
            )
        total_errors = sum(r["socket_errors"] + r["status_4xx_5xx"] for r in results.values())
        total_5xx = sum(r["status_5xx"] for r in results.values())
        ok = total_errors == 0 and total_5xx == 0
        print(f"target 0 errors, 0 5xx: {'met' if ok else 'MISSED'} ({total_errors}, {total_5xx})")
        if "catalog" in results:
            c = results["catalog"]
            ratio = c["p99_us"] / max(c["p50_us"], 1)
            met = ratio <= 5
            ok = ok and met
            print(f"target catalog p99 <= 5x p50: {'met' if met else 'MISSED'} ({ratio:.1f}x)")
        return 0 if ok else 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
