"""pricing tables (filled by its issue)."""
