"""Isolated virtualenvs for validators that cannot share the project's pins (issue 21 §1).

SkyPilot (every release from 0.9.3 to 0.14.1) needs click<8.2 while celery 5.7 needs
click>=8.3.1, and LiteLLM's proxy extra is not installable here (planner/deploy/README.md).
So the tests run those tools' own validators in a venv of their own: built once per
requirement set under `ATLAS_TOOL_VENVS` (default `var/tool-venvs/`), or taken from
`ATLAS_<NAME>_PYTHON` (an interpreter that already has them). A script gets JSON on stdin
and prints JSON on stdout.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKYPILOT = ("skypilot==0.14.1",)


def tool_python(name: str, requirements: tuple[str, ...], *, timeout_s: int = 900) -> Path:
    """A Python interpreter with `requirements`; skips the test when it cannot be built."""
    override = os.environ.get(f"ATLAS_{name.upper()}_PYTHON")
    if override:
        return Path(override)
    if os.environ.get("ATLAS_TOOL_TESTS") != "1":
        pytest.skip(
            f"set ATLAS_TOOL_TESTS=1 to build the {name} venv ({', '.join(requirements)}; "
            f"minutes, once) or ATLAS_{name.upper()}_PYTHON to use one"
        )
    root = Path(os.environ.get("ATLAS_TOOL_VENVS", ROOT / "var" / "tool-venvs"))
    key = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:12]
    venv = root / f"{name}-{key}"
    python = venv / "bin" / "python"
    if not (venv / ".ready").exists():
        venv.parent.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True,
                           timeout=120)  # fmt: skip
            subprocess.run([str(python), "-m", "pip", "install", "-q", *requirements],
                           check=True, timeout=timeout_s)  # fmt: skip
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"could not build the {name} venv: {exc}")
        (venv / ".ready").write_text("\n".join(requirements))
    return python


def run_tool(python: Path, script: str, payload: Any, *, timeout_s: int = 300) -> Any:
    """Run `script` under `python` with `payload` as JSON on stdin; its stdout's JSON."""
    done = subprocess.run(
        [str(python), "-c", script], input=json.dumps(payload), capture_output=True,
        text=True, timeout=timeout_s, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise AssertionError(f"tool script failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# litellm 1.110.2's `proxy` extra, less litellm-proxy, litellm-enterprise and
# litellm-proxy-extras (not on the package index): enough for ProxyConfig's loader.
LITELLM_PROXY = (
    "litellm==1.110.2", "apscheduler>=3.11.2,<4.0", "azure-identity>=1.25.2,<2.0",
    "azure-storage-blob>=12.28.0,<13.0", "backoff>=2.2.1,<3.0", "backports-zstd>=1.0.0,<2.0",
    "boto3>=1.43.117,<2.0", "cryptography>=49.0.0,<51.0", "expression>=5.6.0,<6.0",
    "fastapi-sso>=0.19.0,<1.0", "fastapi>=0.136.3,<1.0", "granian>=2.7.4,<3.0",
    "gunicorn>=23.0.0,<24.0", "hiredis>=3.0.0,<4.0", "httpx2>=2.10.0,<3",
    "inquirerpy>=0.3.4,<1.0", "mcp>=2.3.0,<3", "orjson>=3.11.6,<4.0", "polars>=1.38.1,<2.0",
    "pydantic>=2.12.0,<3", "pyjwt>=2.13.0,<3.0", "pynacl>=1.6.2,<2.0",
    "pyroscope-io>=0.8.16,<1.0", "python-multipart>=0.0.27,<1.0", "pyyaml>=6.0.3,<7.0",
    "restrictedpython>=8.5,<9.0", "rich>=13.9.4,<14.0", "rq>=2.7.0,<3.0", "semver>=3.0.4,<4",
    "soundfile>=0.12.1,<1.0", "starlette>=1.0.1,<2.0", "tomlkit>=0.13.3,<1.0",
    "uvicorn>=0.33.0,<1.0", "uvloop>=0.22.1,<1.0", "websockets>=15.0.1,<16.0",
)  # fmt: skip
