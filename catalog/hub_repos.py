"""The reviewed table of API names whose Hub repo the name does not spell (pure data
access, no Django imports): catalog/data/hub_repos.yaml.

    known_hub_repo("amazon-bedrock/mistral.devstral-2-123b")
    -> "mistralai/Devstral-2-123B-Instruct-2512"

Every spelling in the file is read by catalog.names.parse_feed_id, and so is the name
looked up: sellers' prefixes, routes, Bedrock versions and serving variants match
without rows of their own. The dated identity key is compared first (a Cohere or
Mistral date names a release), then, for a name without a date, the undated key.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from catalog.names import parse_feed_id

TABLE = Path(__file__).resolve().parent / "data" / "hub_repos.yaml"


class HubRepoTableError(ValueError):
    """The table names one spelling for two repos, or a row misses a field."""


@cache
def hub_repo_table(path: Path = TABLE) -> dict[str, str]:
    """dated identity key -> Hub repo id, for every spelling in the table."""
    rows = yaml.safe_load(path.read_text()) or []
    out: dict[str, str] = {}
    for row in rows:
        repo, names, source = row.get("repo"), row.get("names"), row.get("source")
        if not repo or "/" not in repo or not names or not source:
            raise HubRepoTableError(f"row {row!r}: repo, names and source are required")
        for name in names:
            key = parse_feed_id(str(name)).dated_key
            if out.setdefault(key, repo) != repo:
                raise HubRepoTableError(f"{name!r} reads as {key!r}: {out[key]} and {repo}")
    return out


def known_hub_repo(name: str) -> str:
    """The Hub repo id the reviewed table gives for a feed's name, else ""."""
    parsed = parse_feed_id(name)
    if not parsed.key:
        return ""
    return hub_repo_table().get(parsed.dated_key, "")
