"""Feeds that cannot wipe prices (issue 15 §6): the checks a sync makes before it writes.

A document is refused, and nothing is written, when it
- holds no usable record at all (`{}`, `[]`, an empty listing);
- is much smaller than the feed's last good document (FEED_MIN_SIZE_SHARE of its bytes
  or of its records);
- would close more than FEED_MAX_CLOSE_SHARE of the feed's current rows (checked by the
  loaders, which know which keys are gone: `MassCloseRefused`).
Small feeds may always close up to FEED_MASS_CLOSE_MIN_ROWS rows, and the size checks
start once the last good document held that many records: one model withdrawn from a
curated list of three is a withdrawal, not a wipe.
`sync_prices --allow-mass-close` (feed_sync(allow_mass_close=True)) loads it anyway.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings

from catalog.models import Feed

OVERRIDE = "sync_prices --allow-mass-close loads it anyway"


class FeedRefused(Exception):
    """The document looks like a wipe; the message gives the numbers."""


class MassCloseRefused(FeedRefused):
    def __init__(self, *, closing: int, current: int, share: float, what: str) -> None:
        self.closing, self.current = closing, current
        super().__init__(
            f"refused: the document would close {closing} of the feed's {current} current "
            f"{what} ({closing / max(current, 1):.0%} > {share:.0%}); prices untouched "
            f"({OVERRIDE})"
        )


@dataclass(frozen=True, slots=True)
class DocumentSize:
    bytes: int
    records: int
    rejected: int


def empty_document_check(data: bytes) -> None:
    """Raise FeedRefused for an empty document: nothing, `{}`, `[]`, `{"data": []}`."""
    text = data.strip()
    if len(text) > 256:
        return
    try:
        doc = json.loads(text) if text else {}
    except (ValueError, UnicodeDecodeError):
        return  # not JSON (a CSV, or garbage): the parser decides
    values = list(doc.values()) if isinstance(doc, dict) else [doc]
    if all(isinstance(v, (dict, list)) and not v for v in values):
        raise FeedRefused(
            f"refused: the document is empty ({text[:40].decode(errors='replace')!r}); "
            f"prices untouched ({OVERRIDE})"
        )


def max_close_share(*, allow_mass_close: bool) -> float | None:
    """The share of current rows one run may close; None: no limit."""
    return None if allow_mass_close else float(settings.FEED_MAX_CLOSE_SHARE)


def mass_close_check(*, closing: int, current: int, share: float | None, what: str) -> None:
    """Raise MassCloseRefused when closing `closing` of `current` rows exceeds `share`."""
    floor = int(settings.FEED_MASS_CLOSE_MIN_ROWS)
    if share is not None and closing > floor and closing > share * current:
        raise MassCloseRefused(closing=closing, current=current, share=share, what=what)


def document_check(*, feed: Feed, size: DocumentSize, full_listing: bool) -> None:
    """Raise FeedRefused for an empty document, or (for a full listing) one much smaller
    than the last good run's (its size is kept in the run's params)."""
    if size.records == 0 and size.rejected == 0:
        raise FeedRefused(
            f"refused: the document ({size.bytes} bytes) holds no records; prices "
            f"untouched ({OVERRIDE})"
        )
    last = feed.last_good_run
    if not full_listing or last is None:
        return
    last_records = last.params.get("records")
    if not isinstance(last_records, int) or last_records <= settings.FEED_MASS_CLOSE_MIN_ROWS:
        return
    share = float(settings.FEED_MIN_SIZE_SHARE)
    for what, now, before in (
        ("bytes", size.bytes, last.params.get("bytes")),
        ("records", size.records, last.params.get("records")),
    ):
        if isinstance(before, int) and before > 0 and now < share * before:
            raise FeedRefused(
                f"refused: the document has {now} {what}, {now / before:.0%} of the last "
                f"good run's {before} (< {share:.0%}); prices untouched ({OVERRIDE})"
            )
