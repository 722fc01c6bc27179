"""Deploy bundles (issue 21 §1): engine commands, SkyPilot tasks, LiteLLM entries for plan
rows. For now the groundwork: the engines' argument lists (`engine_flags/*.json`, each
extracted from the engine's parser source at a cited commit) and the pure validator
`planner.deploy.flags`."""
