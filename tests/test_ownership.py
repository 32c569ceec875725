"""One writer per aggregate: only the service that owns an aggregate builds its events, and the
gateway publishes nothing (it asks the owners with commands). Read from the sources."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from s3c_events import EVENT_TYPES
from s3c_events.envelope import SOURCES

ROOT = Path(__file__).resolve().parent.parent
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "src").is_dir())
OWNER = {cls.__name__: SOURCES[aggregate] for (aggregate, _), cls in EVENT_TYPES.items()}


def names_used(service: str) -> tuple[set[str], set[str]]:
    """(names called, names imported) in a service's source."""
    called: set[str] = set()
    imported: set[str] = set()
    for path in (ROOT / "services" / service / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name):
                    called.add(func.id)
                elif isinstance(func, ast.Attribute):
                    called.add(func.attr)
            elif isinstance(node, ast.ImportFrom):
                imported.update(alias.name for alias in node.names)
    return called, imported


@pytest.mark.parametrize("service", SERVICES)
def test_only_the_owner_builds_an_aggregates_events(service: str) -> None:
    called, _ = names_used(service)
    foreign = {name for name in called if OWNER.get(name, service) != service}
    assert not foreign, f"{service} builds events it does not own: {sorted(foreign)}"


def test_the_gateway_publishes_no_events_and_no_jobs() -> None:
    called, imported = names_used("gateway")
    assert not {"publish", "publish_event"} & called
    assert not {"work_subject", "publish_event", "ExecutionJob", "JetStreamContext"} & imported
