"""The MCP server (issue 21 §4): `manage.py mcp` serves the catalog, prices and the planner
over stdio to desktop and editor assistants.

`tools.py` holds the tools as plain functions over the same selectors, services, FilterSets
and input serializers as the REST API (so the same validation and the same error bodies);
`server.py` registers them on the official SDK's `MCPServer` (the optional `mcp` extra).
"""
