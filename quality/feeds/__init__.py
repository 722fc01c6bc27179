"""Pure leaderboard parsers: bytes -> (records, errors). No Django imports.

Every parser returns `ScoreRecord`s (one per model x metric x category x setting) and a
list of error lines, one per rejected record. It raises `FeedFormatError` only when the
whole document is unreadable or belongs to another source.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

HF_PREFIX = "https://huggingface.co/"


class FeedFormatError(Exception):
    """The document cannot be read as this source's format."""


@dataclass(frozen=True, slots=True)
class BoardSpec:
    """A leaderboard as the source publishes it (one Leaderboard row)."""

    slug: str
    name: str
    source: str
    task: str
    metric: str
    unit: str
    higher_is_better: bool
    source_url: str
    licence: str
    attribution: str
    redistributable: bool
    description: str = ""


@dataclass(frozen=True, slots=True)
class ScoreRecord:
    board: str  # BoardSpec.slug
    source_name: str  # the row's own model key (with any setting suffix)
    metric: str
    value: float
    category: str = ""
    link_name: str = ""  # the name to link to a catalog model ("" = source_name)
    settings: tuple[tuple[str, str], ...] = ()
    ci_low: float | None = None
    ci_high: float | None = None
    samples: int | None = None
    total_cost_usd: Decimal | None = None
    hub_repo_id: str = ""
    organization_hint: str = ""
    display_name: str = ""
    open_weights: bool = False
    data_date: date | None = None

    @property
    def setting(self) -> str:
        return ";".join(f"{k}={v}" for k, v in self.settings)

    @property
    def name_to_link(self) -> str:
        return self.link_name or self.source_name

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.board, self.source_name, self.metric, self.category, self.setting)

    def fingerprint_part(self) -> str:
        return "|".join(
            str(x)
            for x in (
                *self.key,
                repr(self.value),
                self.ci_low,
                self.ci_high,
                self.samples,
                self.total_cost_usd,
            )
        )


@dataclass(slots=True)
class ParseOutput:
    records: list[ScoreRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _seen: set = field(default_factory=set)
    _models: set = field(default_factory=set)

    def first_row_of(self, model: str, *, where: str) -> bool:
        """Whether this is the board's first row for `model` (one row per model); a later
        one is reported and left out."""
        if model in self._models:
            self.errors.append(f"{where}: duplicate row for this model; the first row was kept")
            return False
        self._models.add(model)
        return True

    def add(self, record: ScoreRecord, *, where: str) -> bool:
        """Keep the record unless one with the same key is already in (duplicate row)."""
        if record.key in self._seen:
            setting = f" setting '{record.setting}'" if record.setting else ""
            cat = f" category '{record.category}'" if record.category else ""
            self.errors.append(
                f"{where}: duplicate row for model '{record.source_name}'{setting}{cat} "
                f"metric '{record.metric}'; the first row was kept"
            )
            return False
        self._seen.add(record.key)
        self.records.append(record)
        return True

    def result(self) -> tuple[list[ScoreRecord], list[str]]:
        return self.records, self.errors


class BadValue(ValueError):
    """One value of one record is unusable (the message is the error line's reason)."""


def number(raw: object, *, what: str, low: float | None = None, high: float | None = None) -> float:
    """A finite float within [low, high], or BadValue with a readable reason."""
    if isinstance(raw, bool) or raw is None or (isinstance(raw, str) and not raw.strip()):
        raise BadValue(f"{what} is missing")
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadValue(f"{what} {raw!r} is not a number") from None
    if not math.isfinite(value):
        raise BadValue(f"{what} {raw!r} is not a finite number")
    if low is not None and value < low:
        raise BadValue(f"{what} {value:g} is below {low:g}")
    if high is not None and value > high:
        raise BadValue(f"{what} {value:g} is above {high:g}")
    return value


def check_interval(value: float, low: float | None, high: float | None) -> None:
    if low is not None and high is not None and not (low <= value <= high):
        raise BadValue(f"interval [{low:g}, {high:g}] does not contain the score {value:g}")


def named_model(name: str, *, open_weights: bool) -> dict[str, object]:
    """ScoreRecord fields of a row naming its model by a Hub repo id when the weights are
    open (else a bare name): source name, Hub repo, organization hint, open weights."""
    return {
        "source_name": name,
        "hub_repo_id": name if open_weights else "",
        "organization_hint": name.split("/")[0] if "/" in name else "",
        "open_weights": open_weights,
    }


def model_name(raw: object) -> str:
    name = raw.strip() if isinstance(raw, str) else ""
    if not name:
        raise BadValue("model name is missing")
    return name


def hub_repo_from_url(url: object) -> str:
    """'https://huggingface.co/org/repo' -> 'org/repo' ('' for other URLs)."""
    if not isinstance(url, str) or not url.startswith(HF_PREFIX):
        return ""
    parts = url[len(HF_PREFIX) :].strip("/").split("/")
    return "/".join(parts[:2]) if len(parts) >= 2 and parts[0] and parts[1] else ""


def records_fingerprint(records: Iterable[ScoreRecord]) -> str:
    """Order-independent hash of a board's records: same data -> same fingerprint."""
    digest = hashlib.sha256()
    for part in sorted(r.fingerprint_part() for r in records):
        digest.update(part.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def settings_tuple(settings: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, str(v)) for k, v in settings.items() if v not in (None, "")))


def decode_text(data: bytes, *, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedFormatError(f"{source}: the file is not UTF-8 text ({exc})") from exc
