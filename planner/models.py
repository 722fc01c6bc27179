"""planner tables (filled by its issue)."""
