"""Production mode: deploy checks, the refused dev key, security headers, CSP, JSON logs."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config.logging import JsonFormatter
from config.middleware import DEFAULT_CSP

REPO_ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "ATLAS_TESTING",
            "DJANGO_DEBUG",
            "DEBUG",
            "ATLAS_BEHIND_TLS",
            "SECRET_KEY",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
        and not k.startswith(("SECURE_", "SESSION_", "CSRF_"))
    }
    env.pop("DJANGO_SECRET_KEY", None)
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "0", **extra})
    return env


@pytest.mark.slow
def test_check_deploy_passes_with_production_defaults() -> None:
    env = _production_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    proc = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


def test_dev_secret_key_refuses_to_start_with_debug_off() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=REPO_ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "ImproperlyConfigured" in proc.stderr
    assert "DJANGO_SECRET_KEY must be set when DEBUG is off" in proc.stderr


@pytest.mark.django_db
def test_pages_carry_security_headers_and_csp(client) -> None:
    for path in ("/", "/models/", "/api/", "/healthz"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Security-Policy"] == DEFAULT_CSP
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_https_settings_follow_atlas_behind_tls(settings, client) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/models/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200  # probes are exempt from the redirect
    secure = client.get("/models/", secure=True)
    assert "max-age=31536000" in secure["Strict-Transport-Security"]


def test_csp_allows_no_inline_script_or_eval() -> None:
    directives = dict(d.split(" ", 1) for d in DEFAULT_CSP.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-eval" not in DEFAULT_CSP
    unsafe = [name for name, value in directives.items() if "unsafe-inline" in value]
    assert unsafe == ["style-src-attr"]  # style="..." only; never scripts or <style>


# A <script> without src runs inline (data blocks, type="application/json", do not).
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=[\"']application/(ld\+)?json)[^>]*>", re.IGNORECASE
)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
HX_EVAL = re.compile(r"\s(data-)?hx-(on\b|on:|vars=)|\bjs:", re.IGNORECASE)  # htmx eval
CDN = re.compile(  # assets only: links (<a href>) to other sites are fine
    r"<(script|link|img|iframe|source|video|audio)\b[^>]*\b(src|href)=[\"']https?://",
    re.IGNORECASE,
)


def test_templates_satisfy_the_csp() -> None:
    """No inline <script>, on*= handlers, <style> blocks or CDN assets in our templates
    (default-src 'self'): page JavaScript lives in static files, vendored."""
    problems = []
    for tpl in sorted((REPO_ROOT / "templates").rglob("*.html")):
        text = tpl.read_text()
        for name, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("inline event handler", INLINE_HANDLER),
            ("<style> block", STYLE_BLOCK),
            ("htmx attribute that needs eval", HX_EVAL),
            ("asset from another origin", CDN),
        ):
            problems += [
                f"{tpl.relative_to(REPO_ROOT)}: {name}: {m.group(0)!r}"
                for m in pattern.finditer(text)
            ]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_swagger_ui_is_served_without_inline_script_or_cdn(client) -> None:
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not INLINE_SCRIPT.search(html), html
    assert "cdn.jsdelivr" not in html
    assert client.get("/api/docs/?script=").status_code == 200


def test_json_formatter_writes_one_object_per_line() -> None:
    record = logging.LogRecord("atlas.test", logging.WARNING, __file__, 1, "hi %s", ("x",), None)
    record.feed = "litellm"
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line  # the traceback is escaped inside the one JSON line
    doc = json.loads(line)
    assert doc["level"] == "WARNING"
    assert doc["logger"] == "atlas.test"
    assert doc["message"] == "hi x"
    assert doc["feed"] == "litellm"
    assert "ValueError: boom" in doc["exc_info"]


def test_production_logging_defaults_to_json() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.LOG_FORMAT)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=_production_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(50)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.strip() == "json", proc.stderr


@pytest.mark.slow
def test_collectstatic_succeeds_with_the_production_storage(tmp_path: Path) -> None:
    """The manifest storage rewrites every reference in our static files: a vendored file
    pointing at an absent source map (Chart.js's `sourceMappingURL`) breaks `make serve`."""
    env = _production_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    env["STATIC_ROOT"] = str(tmp_path / "static")
    proc = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert any(name.startswith("vendor/chart-") for name in manifest["paths"])
