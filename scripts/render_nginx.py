"""Render config/nginx.conf.template into var/nginx/ for `make serve` (scripts/serve.sh).

    python scripts/render_nginx.py   # reads PORT, PORT_WEB, PORT_WEB2, HOST, STATIC_ROOT...

Writes var/nginx/nginx.conf, the temp directories and the error bodies nginx answers
itself (var/nginx/errors/<status>.json in the API's error shape, <status>.html), then
checks the result with `nginx -t`. Prints the config path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
ERRORS = {
    400: ("bad_request", "The request could not be read."),
    408: ("request_timeout", "The request was not sent in time."),
    413: ("payload_too_large", "The request body is larger than the limit."),
    414: ("uri_too_long", "The request line is longer than the limit."),
    494: ("headers_too_large", "The request headers are larger than the limit."),
    500: ("server_error", "Internal server error."),
    502: ("unavailable", "The application is not answering; try again shortly."),
    503: ("unavailable", "The service is unavailable; try again shortly."),
    504: ("timeout", "The application did not answer in time."),
}


def _web_ports() -> list[str]:
    """The gunicorn masters' ports: PORT_WEB and PORT_WEB2 (serve.sh: the next one)."""
    first = os.environ.get("PORT_WEB", "8001")
    return [first, os.environ.get("PORT_WEB2", str(int(first) + 1))]


def render(var: Path | None = None) -> Path:
    var = (var or Path(os.environ.get("ATLAS_VAR", ROOT / "var"))).resolve()
    nginx = var / "nginx"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "errors"):
        (nginx / sub).mkdir(parents=True, exist_ok=True)
    for status, (code, message) in ERRORS.items():
        body = {"error": {"code": code, "message": message, "fields": {}}}
        (nginx / "errors" / f"{status}.json").write_text(json.dumps(body) + "\n")
        (nginx / "errors" / f"{status}.html").write_text(
            f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{message}</p>\n"
        )
    max_body = int(os.environ.get("MAX_REQUEST_BODY_BYTES", 1024 * 1024))
    values = {
        "USER_LINE": "user root;" if os.geteuid() == 0 else "",
        "NGINX_WORKERS": os.environ.get("NGINX_WORKERS", "2"),
        "VAR": str(var),
        "MIME_TYPES": os.environ.get("NGINX_MIME_TYPES", "/etc/nginx/mime.types"),
        "ACCESS_LOG": os.environ.get("NGINX_ACCESS_LOG", "/dev/stdout"),
        "MAX_BODY": f"{max(1, (max_body + 1023) // 1024)}k",
        "UPSTREAM_SERVERS": "\n".join(
            f"        server 127.0.0.1:{port} max_fails=0;" for port in _web_ports()
        ),
        "LISTEN": f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}",
        "STATIC_ROOT": os.environ.get("STATIC_ROOT", str(ROOT / "staticfiles")).rstrip("/"),
        "ERROR_PAGES": "\n".join(
            f"        error_page {status} /_atlas_error/{status};" for status in ERRORS
        ),
        "PROXY_READ_TIMEOUT": os.environ.get("NGINX_PROXY_READ_TIMEOUT", "60s"),
    }
    template = Template((ROOT / "config" / "nginx.conf.template").read_text())
    # nginx's own variables ($status, $1 ...) stay: only the names above are replaced.
    text = template.safe_substitute(values)
    path = nginx / "nginx.conf"
    path.write_text(text)
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run([binary, "-t", "-q", "-c", str(path)], capture_output=True, text=True)
    if check.returncode != 0:
        sys.exit(f"render_nginx: nginx -t failed:\n{check.stderr}")
    return path


if __name__ == "__main__":
    print(render())
