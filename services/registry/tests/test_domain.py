"""Registry rules as plain functions: no servers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from s3c_events import (
    FunctionActivated,
    FunctionConfigPatch,
    FunctionDeactivated,
    FunctionDeleted,
    FunctionState,
    FunctionUpdated,
    RegisterFunction,
    UpdateFunction,
)
from s3c_registry.domain import functions as domain

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)


def registered(**kw: Any) -> FunctionState:
    cmd = RegisterFunction(name="add", code="function add(a,b){return a+b}", **kw)
    return domain.register(cmd, "f1", T0, None, None).function


def test_register_sets_defaults() -> None:
    state = registered()
    assert (state.status, state.version, state.config.timeout, state.config.retry_count) == (
        "active",
        1,
        30000,
        3,
    )
    assert state.created_at == state.updated_at == T0


def test_register_refuses_taken_names_and_bad_code() -> None:
    cmd = RegisterFunction(name="add", code="x")
    with pytest.raises(domain.Rejected) as taken:
        domain.register(cmd, "f2", T0, "f1", None)
    assert taken.value.code == "conflict" and taken.value.field == "name"
    with pytest.raises(domain.Rejected) as bad:
        domain.register(cmd, "f2", T0, None, "SyntaxError: Unexpected end of input")
    assert bad.value.code == "invalid" and "Unexpected end of input" in bad.value.message


def test_update_without_change_emits_nothing() -> None:
    state = registered()
    assert domain.update(state, UpdateFunction(function_id="f1", name="add"), T1, "f1", None) == []


@pytest.mark.parametrize(
    ("changes", "bumped"),
    [
        ({"code": "function add(a,b){return b+a}"}, True),
        ({"runtime": "python"}, True),
        ({"config": FunctionConfigPatch(timeout=1000)}, True),
        ({"config": FunctionConfigPatch(retry_count=0)}, True),
        ({"description": "docs"}, False),
        ({"name": "plus"}, False),
    ],
)
def test_version_moves_only_with_code_runtime_or_config(
    changes: dict[str, Any], bumped: bool
) -> None:
    state = registered()
    [event] = domain.update(state, UpdateFunction(function_id="f1", **changes), T1, None, None)
    assert isinstance(event, FunctionUpdated)
    assert event.function.version == 1 + int(bumped)
    assert event.function.updated_at == T1 and event.function.created_at == T0
    assert event.changed == list(changes)


def test_config_patch_keeps_other_fields() -> None:
    state = registered(config={"timeout": 5000, "retryCount": 1})
    [event] = domain.update(
        state,
        UpdateFunction(function_id="f1", config=FunctionConfigPatch(timeout=7000)),
        T1,
        None,
        None,
    )
    assert isinstance(event, FunctionUpdated)
    assert (event.function.config.timeout, event.function.config.retry_count) == (7000, 1)


def test_rename_to_a_taken_name_conflicts_but_own_name_is_fine() -> None:
    state = registered()
    with pytest.raises(domain.Rejected):
        domain.update(state, UpdateFunction(function_id="f1", name="taken"), T1, "f9", None)
    assert domain.update(state, UpdateFunction(function_id="f1", name="add"), T1, "f1", None) == []


def test_status_changes_and_evolve() -> None:
    state = registered()
    [off] = domain.update(
        state, UpdateFunction(function_id="f1", status="inactive"), T1, None, None
    )
    assert isinstance(off, FunctionDeactivated) and off.version == 1
    paused = domain.evolve(state, off)
    assert paused is not None and paused.status == "inactive" and paused.version == 1
    events = domain.update(
        paused,
        UpdateFunction(function_id="f1", status="active", code="function x(){}"),
        T1,
        None,
        None,
    )
    assert [type(e) for e in events] == [FunctionUpdated, FunctionActivated]
    assert isinstance(events[1], FunctionActivated) and events[1].version == 2
    final: FunctionState | None = paused
    for e in events:
        final = domain.evolve(final, e)
    assert final is not None and final.status == "active" and final.version == 2
    assert domain.evolve(final, domain.delete(final, T1)) is None
    assert isinstance(domain.delete(final, T1), FunctionDeleted)


@given(st.lists(st.sampled_from(["code", "description", "timeout", "status"]), max_size=12))
def test_version_counts_versioned_changes(ops: list[str]) -> None:
    state = registered()
    expected = 1
    for i, op in enumerate(ops):
        if op == "code":
            cmd = UpdateFunction(function_id="f1", code=f"function f{i}(){{}}")
        elif op == "description":
            cmd = UpdateFunction(function_id="f1", description=f"d{i}")
        elif op == "timeout":
            cmd = UpdateFunction(function_id="f1", config=FunctionConfigPatch(timeout=1000 + i))
        else:
            cmd = UpdateFunction(
                function_id="f1", status="inactive" if state.status == "active" else "active"
            )
        events = domain.update(state, cmd, T1, None, None)
        expected += int(op in ("code", "timeout"))
        for event in events:
            evolved = domain.evolve(state, event)
            assert evolved is not None
            state = evolved
        assert state.version == expected


def test_a_runtime_change_rechecks_the_code() -> None:
    state = registered()
    with pytest.raises(domain.Rejected):
        domain.update(
            state,
            UpdateFunction(function_id="f1", runtime="python"),
            T1,
            None,
            "SyntaxError: invalid syntax",
        )


@pytest.mark.parametrize(
    ("changes", "checked"),
    [
        ({"code": "function g(){}"}, ("javascript", "function g(){}")),
        ({"runtime": "python"}, ("python", "function add(a,b){return a+b}")),
        ({"code": "def g(): pass", "runtime": "python"}, ("python", "def g(): pass")),
        ({"code": "function add(a,b){return a+b}", "runtime": "javascript"}, None),
        ({"description": "docs", "config": FunctionConfigPatch(timeout=1)}, None),
    ],
)
def test_only_new_code_or_a_new_runtime_is_compiled(
    changes: dict[str, Any], checked: tuple[str, str] | None
) -> None:
    cmd = UpdateFunction(function_id="f1", **changes)
    assert domain.code_to_check(registered(), cmd) == checked


@pytest.mark.parametrize(("name", "renamed"), [("plus", "plus"), ("add", None), (None, None)])
def test_new_name_is_set_only_by_a_rename(name: str | None, renamed: str | None) -> None:
    cmd = UpdateFunction(function_id="f1", name=name)
    assert domain.new_name(registered(), cmd) == renamed
