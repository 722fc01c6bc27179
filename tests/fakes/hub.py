"""A fake Hugging Face Hub on FakeServer: the real huggingface_hub client talks to it.

    hub = FakeHub(server, models=[...], configs={"org/x": {...}})
    settings.HF_ENDPOINT = server.base_url

Serves
- `GET /api/models` with `search`, `author`, `pipeline_tag`, `filter`, `sort`, `limit`
  (page size) and an opaque `cursor`; every page but the last has an RFC 5988
  `Link: <...&cursor=...>; rel="next"` header, as the Hub does. `expand` keeps only the
  requested fields (plus `_id`, `id`).
- `GET /api/models/{org}/{name}` (model_info): `infos[repo]` or the listing entry;
  unknown repos answer 404 with `X-Error-Code: RepoNotFound`.
- `HEAD/GET /{repo}/resolve/{rev}/{file}`: the headers `hf_hub_download` needs
  (`ETag`, `X-Repo-Commit`; FakeServer adds `Content-Length`). Missing files answer 404
  with `X-Error-Code: EntryNotFound`.
- Faults: `faults[key]` is a list of Responses served (in order, once each) before the
  normal answer. Keys: "page:N" (N-th listing page, 0-based), "info:{repo}",
  "file:{repo}/{file}" (HEAD and GET both consume). `refused[repo] = 401/403` answers
  every file request of a gated repo with `X-Error-Code: GatedRepo`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.fakes.server import FakeServer, Request, Response

JSON = {"Content-Type": "application/json"}
MAX_PAGE = 1000


def _cursor_encode(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _cursor_decode(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(cursor.encode()))["offset"])
    except (ValueError, KeyError, TypeError):
        return 0


class FakeHub:
    def __init__(
        self,
        server: FakeServer,
        *,
        models: list[dict[str, Any]] | None = None,
        configs: dict[str, Any] | None = None,
        infos: dict[str, dict[str, Any]] | None = None,
        files: dict[tuple[str, str], bytes] | None = None,
    ) -> None:
        self.server = server
        self.models: list[dict[str, Any]] = list(models or [])
        self.infos: dict[str, dict[str, Any]] = dict(infos or {})
        # (repo, filename) -> raw bytes; configs[repo] is the shorthand for config.json.
        self.files: dict[tuple[str, str], bytes] = dict(files or {})
        for repo, config in (configs or {}).items():
            raw = config if isinstance(config, bytes) else json.dumps(config).encode()
            self.files[(repo, "config.json")] = raw
        self.faults: dict[str, list[Response]] = {}
        self.max_page = MAX_PAGE  # the Hub's largest page; `limit` above it is cut
        self.refused: dict[str, int] = {}
        self._listing_bytes: dict[int, tuple[str, bytes]] = {}
        server.route("/api/models", handler=self._listing)
        server.route_prefix("/api/models/", self._info)
        server.route_prefix("/", self._resolve)

    @classmethod
    def from_shared(cls, server: FakeServer, shared: Path) -> FakeHub:
        """A fake Hub serving ../shared/hub: listing, model-info bodies (safetensors
        totals), config.json and model_index.json files (tests/fakes/hub_shared.py)."""
        from tests.fakes.hub_shared import build_models

        models, infos, files = build_models(shared)
        return cls(server, models=models, infos=infos, files=files)

    # -- helpers -------------------------------------------------------------------------
    def _fault(self, key: str) -> Response | None:
        queue = self.faults.get(key)
        if queue:
            return queue.pop(0)
        return None

    def set_models(self, models: list[dict[str, Any]]) -> None:
        self.models = list(models)

    def _entry(self, repo_id: str) -> dict[str, Any] | None:
        return next((m for m in self.models if m.get("id") == repo_id), None)

    # -- routes --------------------------------------------------------------------------
    def _listing(self, req: Request) -> Response:
        selected = self.models
        search = (req.arg("search") or "").lower()
        author = req.arg("author")
        task = req.arg("pipeline_tag")
        filters = req.query.get("filter", [])
        if search:
            selected = [m for m in selected if search in str(m.get("id", "")).lower()]
        if author:
            selected = [m for m in selected if m.get("author") == author]
        if task:
            selected = [m for m in selected if m.get("pipeline_tag") == task]
        for tag in filters:
            selected = [
                m for m in selected if tag in (m.get("tags") or []) or m.get("pipeline_tag") == tag
            ]
        sort = req.arg("sort")
        if sort in ("downloads", "likes"):
            selected = sorted(selected, key=lambda m: -(m.get(sort) or 0))
        size = max(1, min(int(req.arg("limit") or self.max_page), self.max_page))
        offset = _cursor_decode(req.arg("cursor"))
        page_no = offset // size
        fault = self._fault(f"page:{page_no}")
        if fault is not None:
            return fault
        items = selected[offset : offset + size]
        expand = set(req.query.get("expand", []))
        if expand:
            items = [
                {k: v for k, v in m.items() if k in expand or k in ("_id", "id")} for m in items
            ]
        headers = dict(JSON)
        if offset + size < len(selected):
            params = [(k, v) for k, values in req.query.items() if k != "cursor" for v in values]
            params.append(("cursor", _cursor_encode(offset + size)))
            headers["Link"] = f'<{self.server.base_url}/api/models?{urlencode(params)}>; rel="next"'
        return Response(200, json.dumps(items).encode(), headers)

    def _info(self, req: Request) -> Response:
        repo_id = req.path[len("/api/models/") :].strip("/")
        fault = self._fault(f"info:{repo_id}")
        if fault is not None:
            return fault
        body = self.infos.get(repo_id) or self._entry(repo_id)
        if body is None:
            return Response(
                404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound", **JSON}
            )
        return Response(200, json.dumps(body).encode(), dict(JSON))

    def _resolve(self, req: Request) -> Response:
        head, sep, tail = req.path.lstrip("/").partition("/resolve/")
        if not sep or "/" not in tail:
            return Response(404, {"error": f"fake hub has no route for {req.path}"})
        repo_id = head
        _revision, _, filename = tail.partition("/")
        fault = self._fault(f"file:{repo_id}/{filename}")
        if fault is not None:
            return fault
        entry = self._entry(repo_id) or self.infos.get(repo_id) or {}
        commit = entry.get("sha") or hashlib.sha1(repo_id.encode()).hexdigest()  # noqa: S324
        if repo_id in self.refused:
            return Response(
                self.refused[repo_id],
                {"error": "Access to this gated repo is restricted"},
                {"X-Error-Code": "GatedRepo", "X-Repo-Commit": commit, **JSON},
            )
        raw = self.files.get((repo_id, filename))
        if raw is None:
            return Response(
                404,
                {"error": "Entry not found"},
                {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": commit, **JSON},
            )
        etag = hashlib.sha256(raw).hexdigest()
        return Response(
            200,
            raw,
            {"ETag": f'"{etag}"', "X-Repo-Commit": commit, "Content-Type": "application/json"},
        )
