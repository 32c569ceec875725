"""The function cache the gateway and the executor share: it follows function events exactly."""

from __future__ import annotations

from datetime import UTC, datetime

from s3c_events import (
    FunctionDeactivated,
    FunctionDeleted,
    FunctionRegistered,
    FunctionState,
    FunctionUpdated,
)
from s3c_runtime.functions import FunctionCache

T = datetime(2026, 1, 1, tzinfo=UTC)


def state(version: int = 1, name: str = "add") -> FunctionState:
    return FunctionState(id="f1", name=name, code="function f() {}", version=version,
                         created_at=T, updated_at=T)  # fmt: skip


def test_events_keep_it_current_by_id_and_by_name() -> None:
    cache = FunctionCache()
    cache.apply(FunctionRegistered(function_id="f1", function=state()))
    assert cache.fresh("f1") == state() and cache.fresh_by_name("add") == state()
    cache.apply(FunctionUpdated(function_id="f1", function=state(2, "plus")))
    assert cache.fresh_by_name("add") is None and cache.fresh_by_name("plus") == state(2, "plus")
    cache.apply(FunctionDeactivated(function_id="f1", version=2))
    assert cache.fresh("f1").status == "inactive"  # type: ignore[union-attr]
    cache.apply(FunctionDeleted(function_id="f1", name="plus", version=2))
    assert cache.fresh("f1") is None and cache.fresh_by_name("plus") is None


def test_an_older_version_never_replaces_a_newer_one() -> None:
    cache = FunctionCache()
    cache.put(state(3))
    cache.put(state(2))
    assert cache.fresh("f1").version == 3  # type: ignore[union-attr]


def test_a_status_change_for_another_version_drops_the_entry() -> None:
    cache = FunctionCache()
    cache.put(state(1))
    cache.apply(FunctionDeactivated(function_id="f1", version=2))  # version 2 was missed
    assert cache.fresh("f1") is None  # asked again rather than served with a wrong status


def test_entries_expire_after_the_ttl() -> None:
    now = [0.0]
    cache = FunctionCache(ttl=30, clock=lambda: now[0])
    cache.put(state())
    now[0] = 29.9
    assert cache.fresh("f1") is not None
    now[0] = 30.0
    assert cache.fresh("f1") is None and cache.fresh_by_name("add") is None
