"""drf-spectacular postprocessing hooks: parameter descriptions, the 4xx answers."""

from __future__ import annotations

from typing import Any

# Descriptions for parameters that views declare without one (path lookups, plain
# `filterset_fields`): "name" or "path prefix:name" -> text.
PARAMETER_DESCRIPTIONS = {
    "repo_id": "Catalog repo id, slashes allowed (e.g. `meta-llama/Llama-3.1-8B`).",
    "slug": "The record's slug.",
    "/api/leaderboards/:source": "Leaderboard source, e.g. `lmarena`.",
    "/api/leaderboards/:task": "Quality task, e.g. `chat`, `code`.",
}


ERROR_RESPONSES = {
    "400": "Invalid parameters or body (`fields` names each).",
    "401": "Authentication required or invalid (writes need a token).",
    "403": "Not allowed for this account.",
    "404": "No such object, page or cursor position.",
    "429": "Throttled: retry after `Retry-After` seconds.",
}


def schema_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation documents the API's 4xx
    answers, each with the ErrorOut body (views may already name some)."""
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    if "ErrorOut" not in result.get("components", {}).get("schemas", {}):
        return result
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, text in ERROR_RESPONSES.items():
                if status in ("401", "403") and method == "get":
                    continue  # reads are public
                responses.setdefault(
                    status, {"description": text, "content": {"application/json": {"schema": ref}}}
                )
            if "requestBody" in operation:
                responses.setdefault(
                    "415",
                    {
                        "description": "The body is not JSON.",
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result


def schema_describe_parameters(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: fill in PARAMETER_DESCRIPTIONS."""
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if schema.get("type") == "boolean" and "enum" in schema:
                    del schema["enum"]  # strict true/false filters: the enum held strings
                if parameter.get("description"):
                    continue
                name = parameter["name"]
                text = PARAMETER_DESCRIPTIONS.get(f"{path}:{name}") or PARAMETER_DESCRIPTIONS.get(
                    name
                )
                if text:
                    parameter["description"] = text
    return result
