"""Pure feed parsers: bytes -> (records, errors). No Django imports (tested by layering)."""
