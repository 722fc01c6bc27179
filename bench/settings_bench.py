"""Bench-only settings: the project's settings plus a urlconf with a bare "hello" view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
