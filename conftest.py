"""Test tiers as markers, from where a test lives and what it needs (`pytest -m unit`, ...).

- unit: libs/*/tests and services/*/tests: pure domain, in-memory brokers and fakes, sandbox
  worker processes; no servers.
- integration: tests/ that take only real servers (NATS, the store), no running stack.
- e2e: the other tests/: a whole stack (`s3c up`), or the published documents.
- browser: tests/browser: Debian chromium driving the UI of a whole stack.

A test may name its tier itself (`pytestmark = pytest.mark.unit`). Beside its tier, a test that
takes the `servers` fixture is marked `docker` when this session's servers are containers
(a Docker engine answered, or S3C_TEST_DOCKER=1): `pytest -m "not docker"` leaves those out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
SERVER_FIXTURES = {"servers"}
TIERS = ("unit", "integration", "e2e", "browser")


def tier(item: pytest.Item) -> str:
    named = [name for name in TIERS if item.get_closest_marker(name)]
    if named:
        return named[0]
    path = Path(str(item.fspath)).resolve()
    relative = path.relative_to(ROOT).parts
    if relative[0] in ("libs", "services"):
        return "unit"
    if "browser" in relative:
        return "browser"
    fixtures = set(getattr(item, "fixturenames", ()))
    only_servers = fixtures & SERVER_FIXTURES and not any("stack" in f for f in fixtures)
    return "integration" if only_servers else "e2e"


def takes_servers(item: pytest.Item) -> bool:
    return bool(set(getattr(item, "fixturenames", ())) & SERVER_FIXTURES)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(getattr(pytest.mark, tier(item)))
    on_servers = [item for item in items if takes_servers(item)]
    if on_servers:
        from helpers import containers_in_use  # tests/ is on the path (pytest's `pythonpath`)

        if containers_in_use():
            for item in on_servers:
                item.add_marker(pytest.mark.docker)
