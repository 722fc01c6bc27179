"""benchmarks tables (filled by its issue)."""
