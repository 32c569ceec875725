"""Pure executor rules: entry-point candidates, retry policy, the execution record fold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from s3c_events import (
    AttemptRecord,
    ExecutionAttemptFailed,
    ExecutionCompleted,
    ExecutionError,
    ExecutionRequested,
    ExecutionStarted,
)
from s3c_executor.domain.entrypoint import top_level_functions
from s3c_executor.domain.executions import evolve
from s3c_executor.domain.retry import backoff_ms, should_retry


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("function add(a, b) { return a + b; }", ["add"]),
        ("async function handler(e) {}\nfunction helper() {}", ["handler", "helper"]),
        ("const f = (x) => x; let g = async y => y; var h = function () {};", ["f", "g", "h"]),
        ("function outer() { function inner() {} }", ["outer"]),
        ("const s = 'function fake() {}'; function real() {}", ["real"]),
        ("// function commented() {}\n/* function too() {} */ function yes() {}", ["yes"]),
        ("const t = `${ (() => { function no() {} })() }`; function after() {}", ["after"]),
        ("const r = /function x() {}/; function last() {}", ["last"]),
        ("function a() {} function b() {} function a() {}", ["b", "a"]),
        ("const value = 5; const obj = { m() {} };", []),
        ("function* gen() {}", ["gen"]),
    ],
)
def test_top_level_functions(code: str, names: list[str]) -> None:
    assert top_level_functions(code) == names


@given(st.text(max_size=300))
def test_scanner_never_crashes(code: str) -> None:
    assert isinstance(top_level_functions(code), list)


def test_backoff_doubles_from_two_seconds() -> None:
    assert [backoff_ms(a) for a in (1, 2, 3, 4)] == [2000, 4000, 8000, 16000]


@pytest.mark.parametrize(
    ("kind", "attempt", "retries", "expected"),
    [
        ("runtime", 1, 3, True),
        ("timeout", 3, 3, True),
        ("timeout", 4, 3, False),
        ("crash", 1, 1, True),
        ("runtime", 1, 0, False),
        ("compile", 1, 3, False),
        ("memory", 1, 3, False),
        ("unsupported", 1, 3, False),
    ],
)
def test_should_retry(kind: str, attempt: int, retries: int, expected: bool) -> None:
    assert should_retry(kind, attempt, retries) is expected


T0 = datetime(2026, 1, 1, tzinfo=UTC)


def attempt(n: int, error: str | None = "boom") -> AttemptRecord:
    return AttemptRecord(
        attempt=n, instance_id="i", cold_start=n == 1, duration_ms=10.0,
        started_at=T0 + timedelta(seconds=n), ended_at=T0 + timedelta(seconds=n, milliseconds=10),
        error=ExecutionError(kind="runtime", message=error) if error else None,
    )  # fmt: skip


def test_the_record_only_moves_forward() -> None:
    requested = ExecutionRequested(execution_id="e", function_id="f", function_name="add", function_version=1,
                                   tier="basic", input=[1, 2], input_bytes=5, occurred_at=T0)  # fmt: skip
    started = ExecutionStarted(execution_id="e", function_id="f", function_version=1, instance_id="i",
                               attempt=1, cold_start=True, occurred_at=T0)  # fmt: skip
    failed_once = ExecutionAttemptFailed(
        execution_id="e", function_id="f", record=attempt(1), retry_in_ms=2000
    )
    done = ExecutionCompleted(
        execution_id="e", function_id="f", function_name="add", function_version=1, tier="basic",
        input=[1, 2], output=3, attempts=[attempt(1), attempt(2, None)], start_time=T0,
        end_time=T0 + timedelta(seconds=3), duration_ms=20.0, retry_count=1, cold_starts=1,
        input_bytes=5, output_bytes=1, instance_id="i",
    )  # fmt: skip
    record = None
    for event in (requested, started, failed_once, done):
        record = evolve(record, event)
    assert record is not None
    assert record["status"] == "completed" and record["output"] == 3 and record["retryCount"] == 1
    # Late or repeated events change nothing.
    for late in (started, failed_once, requested, done):
        assert evolve(record, late)["status"] == "completed"
    assert evolve(record, failed_once)["attempts"] == record["attempts"]
    # Out of order: the terminal event first, the start after it.
    reordered = evolve(evolve(None, done), started)
    assert reordered["status"] == "completed" and reordered["output"] == 3
