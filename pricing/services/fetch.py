"""Fetch a feed document from a file or over HTTP (the only I/O step of a sync)."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from config.errors import AtlasError

USER_AGENT = "model-atlas-pricing/0.1 (+https://github.com/model-atlas)"


class FeedFetchError(AtlasError):
    """The document could not be fetched. Permanent (404, missing file): do not retry."""

    code = "feed_fetch_failed"
    status = 502


class FeedTransientError(FeedFetchError):
    """A network error, timeout, 429 or 5xx: worth retrying later (the Celery task does)."""

    code = "feed_fetch_transient"


def feed_fetch(*, file: str | Path | None = None, url: str = "", timeout_s: float = 30.0) -> bytes:
    """Return the raw document from `file` or `url` (file wins). Raises FeedFetchError."""
    if file:
        try:
            return Path(file).read_bytes()
        except OSError as exc:
            raise FeedFetchError(f"cannot read {file}: {exc.strerror or exc}") from exc
    if not url:
        raise FeedFetchError("no file and no URL to fetch the feed from")
    if not url.startswith(("http://", "https://")):
        raise FeedFetchError(f"only http(s) URLs are fetched, not {url!r}")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            return response.read()
    except urllib.error.HTTPError as exc:
        message = f"GET {url} answered HTTP {exc.code}"
        if exc.code == 429 or exc.code >= 500:
            raise FeedTransientError(message) from exc
        raise FeedFetchError(message) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FeedTransientError(f"GET {url} failed: {reason or 'timed out'}") from exc
