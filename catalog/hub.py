"""The Hugging Face Hub client: listing pages, model_info and config files (I/O only).

Everything goes through `huggingface_hub` with the endpoint and token passed explicitly
(`settings.HF_ENDPOINT` / `HF_TOKEN`; the library reads its environment at import time).
Listing pages are fetched with huggingface_hub's own HTTP session so the sync can keep
the RFC 5988 `Link: <...>; rel="next"` URL as its resume cursor.

Retries: 429 waits `Retry-After` (capped at `max_backoff_s`), 5xx and network errors
back off exponentially; after `max_retries` the call raises `HubError` with a `kind`
the sync records as a clear line.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx2
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.hf_api import ModelInfo
from huggingface_hub.utils import get_session, hf_raise_for_status

T = TypeVar("T")

# What a listing asks the Hub to include, so one page carries everything the catalog
# keeps except the architecture dims (config.json).
LISTING_EXPAND = (
    "author",
    "cardData",
    "config",
    "createdAt",
    "downloads",
    "gated",
    "lastModified",
    "library_name",
    "likes",
    "pipeline_tag",
    "safetensors",
    "sha",
    "tags",
)


class HubError(Exception):
    """A Hub call that failed after retries. `kind`: not_found, gated, rate_limited,
    server, malformed, network, http."""

    def __init__(self, kind: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status

    @property
    def transient(self) -> bool:
        return self.kind in ("rate_limited", "server", "network")


@dataclass(frozen=True, slots=True)
class ListingPage:
    items: list[Any]
    next_url: str | None


def _status(exc: HfHubHTTPError) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def _retry_after_s(exc: HfHubHTTPError) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _classify(exc: BaseException, what: str) -> HubError:
    """Map a huggingface_hub / transport exception to a HubError with a readable line."""
    cause = exc
    if isinstance(exc, LocalEntryNotFoundError) and exc.__cause__ is not None:
        cause = exc.__cause__
    if isinstance(cause, GatedRepoError):
        return HubError("gated", f"{what}: gated repo ({_status(cause)})", _status(cause))
    if isinstance(cause, (RepositoryNotFoundError, RevisionNotFoundError, EntryNotFoundError)):
        return HubError("not_found", f"{what}: not found ({_status(cause)})", _status(cause))
    if isinstance(cause, HfHubHTTPError):
        status = _status(cause)
        if status in (401, 403):
            return HubError("gated", f"{what}: access refused ({status}), gated repo", status)
        if status == 404:
            return HubError("not_found", f"{what}: not found (404)", status)
        if status == 429:
            return HubError("rate_limited", f"{what}: rate limited (429) after retries", status)
        if status is not None and status >= 500:
            return HubError("server", f"{what}: server error ({status}) after retries", status)
        return HubError("http", f"{what}: HTTP {status}", status)
    if isinstance(cause, (httpx2.TransportError, OSError, LocalEntryNotFoundError)):
        return HubError("network", f"{what}: network error ({type(cause).__name__})")
    if isinstance(cause, (json.JSONDecodeError, UnicodeDecodeError)):
        return HubError("malformed", f"{what}: malformed JSON ({cause})")
    return HubError("http", f"{what}: {type(cause).__name__}: {cause}")


class HubClient:
    """One sync's view of the Hub. Counts the seconds spent waiting on HTTP in `http_s`."""

    def __init__(
        self,
        *,
        endpoint: str,
        token: str | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 5,
        max_backoff_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.token = token or None
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.max_backoff_s = max_backoff_s
        self.api = HfApi(endpoint=self.endpoint, token=self.token)
        self._sleep = sleep
        self._cache_dir: str | None = None
        self.http_s = 0.0
        self.retries = 0

    @classmethod
    def from_settings(cls) -> HubClient:
        from django.conf import settings

        return cls(
            endpoint=settings.HF_ENDPOINT,
            token=settings.HF_TOKEN,
            timeout_s=settings.HUB_TIMEOUT_S,
            max_retries=settings.HUB_MAX_RETRIES,
            max_backoff_s=settings.HUB_MAX_BACKOFF_S,
        )

    # -- retries -------------------------------------------------------------------------
    def _call(self, what: str, fn: Callable[[], T]) -> T:
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                return fn()
            except HubError:
                raise
            except (HfHubHTTPError, httpx2.TransportError, LocalEntryNotFoundError) as exc:
                error = _classify(exc, what)
                if not error.transient or attempt >= self.max_retries:
                    raise error from exc
                wait = min(self.max_backoff_s, 0.5 * 2**attempt)
                if error.kind == "rate_limited" and isinstance(exc, HfHubHTTPError):
                    wait = min(self.max_backoff_s, _retry_after_s(exc) or wait)
                attempt += 1
                self.retries += 1
                self._sleep(wait)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise _classify(exc, what) from exc
            finally:
                self.http_s += time.perf_counter() - started

    # -- listing -------------------------------------------------------------------------
    def listing_url(
        self,
        *,
        task: str | None = None,
        author: str | None = None,
        search: str | None = None,
        sort: str | None = "downloads",
        page_size: int = 500,
    ) -> str:
        """The first page of `/api/models` with the filters and LISTING_EXPAND fields."""
        params: list[tuple[str, str]] = []
        if task:
            params.append(("pipeline_tag", task))
        if author:
            params.append(("author", author))
        if search:
            params.append(("search", search))
        if sort:
            params.append(("sort", sort))
        params.append(("limit", str(page_size)))
        params.extend(("expand", field) for field in LISTING_EXPAND)
        return f"{self.endpoint}/api/models?{urlencode(params)}"

    def listing_page(self, url: str) -> ListingPage:
        """GET one listing page; `next_url` is the Link header's rel="next" (None at the end)."""

        def fetch() -> ListingPage:
            response = get_session().get(
                url, headers=self.api._build_hf_headers(), timeout=self.timeout_s
            )
            hf_raise_for_status(response)
            items = response.json()
            if not isinstance(items, list):
                raise HubError("malformed", f"listing page {url}: expected a JSON array")
            return ListingPage(items=items, next_url=response.links.get("next", {}).get("url"))

        return self._call(f"listing page {url}", fetch)

    def list_models(
        self,
        *,
        task: str | None = None,
        author: str | None = None,
        search: str | None = None,
        sort: str | None = "downloads",
        limit: int | None = None,
        full: bool = False,
    ) -> Iterator[ModelInfo]:
        """`HfApi.list_models` with our filters (no resume cursor: the sync uses pages)."""
        return self.api.list_models(
            pipeline_tag=task,
            author=author,
            search=search,
            sort=sort,
            limit=limit,
            full=full or None,
            expand=None if full else list(LISTING_EXPAND),
        )

    # -- one model -----------------------------------------------------------------------
    def model_info(self, repo_id: str) -> dict[str, Any]:
        """`HfApi.model_info` as a Hub-shaped dict (the parser reads Hub JSON keys)."""
        info = self._call(
            f"{repo_id}: model_info",
            lambda: self.api.model_info(repo_id, timeout=self.timeout_s),
        )
        return model_info_as_dict(info)

    def config_file(self, repo_id: str, *, revision: str | None, filename: str) -> Any:
        """Download `filename` (config.json / model_index.json) and decode it as JSON."""
        if self._cache_dir is None:
            self._cache_dir = tempfile.mkdtemp(prefix="atlas-hub-")

        def fetch() -> str:
            path = hf_hub_download(
                repo_id,
                filename,
                revision=revision or "main",
                cache_dir=self._cache_dir,
                endpoint=self.endpoint,
                token=self.token or False,
                etag_timeout=self.timeout_s,
            )
            with open(path, encoding="utf-8") as handle:
                return handle.read()

        text = self._call(f"{repo_id}: {filename}", fetch)
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise HubError("malformed", f"{repo_id}: {filename} is not JSON ({exc})") from exc

    def close(self) -> None:
        if self._cache_dir:
            shutil.rmtree(self._cache_dir, ignore_errors=True)
            self._cache_dir = None

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def model_info_as_dict(info: ModelInfo) -> dict[str, Any]:
    """ModelInfo -> the Hub JSON keys `catalog.hub_parse.parse_model` reads."""

    def iso(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    card = info.card_data.to_dict() if info.card_data is not None else {}
    safetensors = (
        {"parameters": dict(info.safetensors.parameters), "total": info.safetensors.total}
        if info.safetensors is not None
        else None
    )
    return {
        "id": info.id,
        "author": info.author,
        "sha": info.sha,
        "createdAt": iso(info.created_at),
        "lastModified": iso(info.last_modified),
        "gated": info.gated,
        "downloads": info.downloads,
        "likes": info.likes,
        "pipeline_tag": info.pipeline_tag,
        "library_name": info.library_name,
        "tags": info.tags,
        "cardData": card,
        "config": info.config,
        "safetensors": safetensors,
    }
