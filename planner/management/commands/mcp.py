"""manage.py mcp: serve the MCP tools over stdio (for desktop and editor assistants)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

INSTALL_HINT = (
    "The MCP server needs the optional `mcp` package: "
    "`.venv/bin/pip install -e '.[mcp]'` (make install-test installs it)."
)


class Command(BaseCommand):
    help = "Serve Model Atlas's MCP tools over stdio (search_models, model_facts, price_usage, "
    help += "plan, what_runs_on). Needs the `mcp` extra."

    def handle(self, *args: object, **opts: object) -> None:
        try:
            from planner.mcp.server import build_server
        except ModuleNotFoundError as exc:
            if exc.name is not None and exc.name.split(".")[0] in ("mcp", "pydantic"):
                raise CommandError(INSTALL_HINT) from exc
            raise
        build_server().run("stdio")
