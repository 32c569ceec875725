"""Admission: whether a function may run with an input, and the job that freezes what a run needs.

Pure: the caller passes the function as it is now, the execution id and the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from s3c_events import ExecutionJob, ExecutionRequested, FunctionSnapshot, FunctionState, tiers
from s3c_events.executor import MAX_INPUT_BYTES, input_bytes
from s3c_events.jsonvalue import JsonValueError, check
from s3c_events.owners import visible

Mode = Literal["async", "sync"]


@dataclass(frozen=True)
class Refusal:
    """Why a run is refused, as the RPC error it becomes (`code` maps to an HTTP status)."""

    code: Literal["not_found", "conflict", "too_large", "invalid"]
    message: str
    field: str | None


def snapshot(state: FunctionState) -> FunctionSnapshot:
    """The function as a run sees it; the tier follows from the code's length and the timeout."""
    return FunctionSnapshot(
        id=state.id,
        name=state.name,
        version=state.version,
        code=state.code,
        runtime=state.runtime,
        timeout=state.config.timeout,
        retry_count=state.config.retry_count,
        tier=tiers.determine_tier(len(state.code), state.config.timeout),
        owner=state.owner,
    )


def admit(
    state: FunctionState,
    value: Any,
    mode: Mode,
    execution_id: str,
    now: datetime,
    owner: str | None = None,
) -> ExecutionJob | Refusal:
    """The job to run, or why not: another owner's function than the caller's (404, the answer
    an unknown function gets, so its existence is not revealed), an inactive function (409), an
    input over 256 KiB (413), or one that may not cross into the system (400: the gateway checks
    it at the door, and so does this for integrators who send the command themselves)."""
    if not visible(state.owner, owner):
        return Refusal("not_found", f"function '{state.id}' not found", None)
    try:
        check(value, "input")
    except JsonValueError as exc:
        return Refusal("invalid", str(exc), exc.field)
    if state.status != "active":
        return Refusal(
            "conflict", f"function '{state.name}' is inactive: activate it to run it", "status"
        )
    size = input_bytes(value)
    if size > MAX_INPUT_BYTES:
        return Refusal(
            "too_large",
            f"the input is {size} bytes of JSON; the limit is {MAX_INPUT_BYTES}",
            "input",
        )
    return ExecutionJob(
        execution_id=execution_id,
        function=snapshot(state),
        input=value,
        input_bytes=size,
        requested_at=now,
        mode=mode,
    )


def requested(job: ExecutionJob) -> ExecutionRequested:
    """`execution.requested` for a queued job; its id is fixed, so a repeated publish is dropped."""
    fn = job.function
    return ExecutionRequested(
        event_id=f"{job.execution_id}-requested",
        execution_id=job.execution_id,
        function_id=fn.id,
        function_name=fn.name,
        function_version=fn.version,
        tier=fn.tier,
        input=job.input,
        input_bytes=job.input_bytes,
        mode=job.mode,
        occurred_at=job.requested_at,
        owner=fn.owner,
    )
