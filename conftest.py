"""Test tiers as markers, from where a test lives and what it needs (`pytest -m unit`, ...).

- unit: libs/*/tests and services/*/tests: pure domain, in-memory brokers and fakes, sandbox
  worker processes; no servers.
- integration: tests/ that take only real servers (NATS, the store), no running stack.
- e2e: the other tests/: a whole stack (`s3c up`), or the published documents.
- browser: tests/browser: Debian chromium driving the UI of a whole stack.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
SERVER_FIXTURES = {"servers"}


def tier(item: pytest.Item) -> str:
    path = Path(str(item.fspath)).resolve()
    relative = path.relative_to(ROOT).parts
    if relative[0] in ("libs", "services"):
        return "unit"
    if "browser" in relative:
        return "browser"
    fixtures = set(getattr(item, "fixturenames", ()))
    only_servers = fixtures & SERVER_FIXTURES and not any("stack" in f for f in fixtures)
    return "integration" if only_servers else "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(getattr(pytest.mark, tier(item)))
