"""Fixtures for the fault tests: skip `redis` tests when Redis is absent, a clean DB 2."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ops.harness import CeleryWorker, redis_available, redis_client


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if any("redis" in item.keywords for item in items) and not redis_available():
        skip = pytest.mark.skip(reason="Redis is not reachable at 127.0.0.1:6379")
        for item in items:
            if "redis" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def clean_redis() -> Iterator[None]:
    """Our Redis DB (2) empty before and after: no task left over from another test."""
    redis_client().flushdb()
    yield
    redis_client().flushdb()


@pytest.fixture
def start_worker(clean_redis: None) -> Iterator:
    """Start real Celery workers; every one started is stopped at the end."""
    started: list[CeleryWorker] = []

    def start(**kwargs: object) -> CeleryWorker:
        worker = CeleryWorker(**kwargs).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
