"""Error classes that carry a code, a message and an HTTP status (rendered by config.api)."""

from __future__ import annotations

from typing import Any


class AtlasError(Exception):
    code = "error"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.fields = fields or {}


class NotFound(AtlasError):
    code = "not_found"
    status = 404


class Conflict(AtlasError):
    code = "conflict"
    status = 409


class UnknownName(AtlasError):
    """A name in a request body that matches no catalog row: 400 naming the field."""

    code = "invalid"
    status = 400


def unknown_name(kind: str, name: str, *, field: str, in_path: bool = False) -> AtlasError:
    """The error for a name nothing matched: 404 in a URL path, else 400 naming `field`."""
    message = f"No {kind} named {name[:200]!r}."
    if in_path:
        return NotFound(message)
    return UnknownName(message, fields={field: [message]})
