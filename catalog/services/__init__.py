"""Catalog write services, split by sub-domain (import from the submodule)."""
