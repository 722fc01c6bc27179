"""Pricing write services, split by sub-domain (import from the submodule):
`feeds` (feed_sync, the registry), `fetch` (HTTP/file), `offers` (offers_load),
`instances` (instance_prices_load), `providers` (providers_ensure)."""
