"""Fixtures for cross-service tests: real servers and a real stack on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers import Servers, Stack, containers_in_use


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """NATS and the store for the session: containers where a Docker engine answers (or
    S3C_TEST_DOCKER=1), else embedded processes. Tests that stop a server start their own."""
    started = Servers.choose(tmp_path_factory.mktemp("servers"), containers_in_use())
    yield started
    started.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack.create(tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=10) as client:
        yield client


@pytest.fixture
def unique(request: pytest.FixtureRequest) -> str:
    """A function name no other test uses."""
    import uuid

    return f"t-{uuid.uuid4().hex[:10]}"


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
