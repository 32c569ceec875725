"""Attempts of one execution, pure: what came before a delivery (read back from the event log),
the record of a run, and what follows it (a retry after a durable backoff, or the terminal event).

The attempt number is the delivery number: JetStream counts deliveries, so a redelivery after an
executor died mid-run is the next attempt, and the lost one is kept in the history as a `crash`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, cast

from s3c_events.envelope import Event
from s3c_events.executor import (
    AttemptRecord,
    ErrorKind,
    ExecutionAttemptFailed,
    ExecutionCompleted,
    ExecutionError,
    ExecutionFailed,
    ExecutionJob,
    ExecutionStarted,
)

from s3c_executor.domain.retry import backoff_ms, should_retry

RUNTIMES = frozenset({"javascript"})  # what the sandbox runs; others fail as `unsupported`
CRASHED = "the executor stopped during this attempt"
TOO_LARGE = "the outcome (input, output and logs) is over 1 MiB"


@dataclass
class RunResult:
    """What the sandbox answers for one run."""

    ok: bool
    instance_id: str
    cold_start: bool
    duration_ms: float
    output: str | None = None  # JSON text
    error_kind: str | None = None
    error: str | None = None
    logs: list[str] = field(default_factory=list)
    load_ms: float = 0.0

    # The worker process sends a result over its pipe as one JSON object a line (camelCase).
    _WIRE: ClassVar[dict[str, str]] = {
        "ok": "ok", "instance_id": "instanceId", "cold_start": "coldStart",
        "duration_ms": "durationMs", "output": "output", "error_kind": "errorKind",
        "error": "error", "logs": "logs", "load_ms": "loadMs",
    }  # fmt: skip

    def to_wire(self) -> dict[str, Any]:
        return {wire: getattr(self, name) for name, wire in self._WIRE.items()}

    @classmethod
    def from_wire(cls, data: dict[str, Any], instance_id: str) -> RunResult:
        """A worker's answer; the worker does not know its instance id, the pool does."""
        values = {name: data[wire] for name, wire in cls._WIRE.items() if wire in data}
        return cls(**{**values, "instance_id": instance_id})


def error_of(kind: str | None, message: str | None) -> ExecutionError:
    return ExecutionError(kind=cast(ErrorKind, kind or "runtime"), message=message or "failed")


def unsupported(job: ExecutionJob) -> RunResult | None:
    """The answer for a function whose runtime the sandbox cannot run (None: it can run it)."""
    runtime = job.function.runtime
    if runtime in RUNTIMES:
        return None
    return RunResult(False, "none", False, 0.0, error_kind="unsupported",
                     error=f"the {runtime} runtime is not available yet")  # fmt: skip


# What the event log holds for an execution, and the history it gives a redelivery.

LOOKED_UP = (
    ExecutionStarted.TYPE,
    ExecutionAttemptFailed.TYPE,
    ExecutionCompleted.TYPE,
    ExecutionFailed.TYPE,
)


@dataclass(frozen=True)
class Logged:
    """The last event of each kind the log holds for one execution (None: none of that kind)."""

    started: ExecutionStarted | None = None
    attempt_failed: ExecutionAttemptFailed | None = None
    ended: ExecutionCompleted | ExecutionFailed | None = None

    @classmethod
    def of(cls, events: Iterable[Event | None]) -> Logged:
        """From the events found (the last of each kind in `LOOKED_UP`), in any order."""
        found = [e for e in events if e is not None]
        return cls(
            started=next((e for e in found if isinstance(e, ExecutionStarted)), None),
            attempt_failed=next((e for e in found if isinstance(e, ExecutionAttemptFailed)), None),
            ended=next(
                (e for e in found if isinstance(e, ExecutionCompleted | ExecutionFailed)), None
            ),
        )


NOTHING = Logged()


def reads_log(delivery: int) -> bool:
    """Only a redelivery asks the log: a first delivery has no past, and costs no lookup."""
    return delivery > 1


def lost(started: ExecutionStarted) -> AttemptRecord:
    """An attempt that started and never ended: its executor died under it. Its run time is
    unknown, so it is not billed (0 ms); it still counts as a retry."""
    at = started.occurred_at
    return AttemptRecord(attempt=started.attempt, instance_id=started.instance_id,
                         cold_start=started.cold_start, duration_ms=0.0, started_at=at,
                         ended_at=at, error=ExecutionError(kind="crash", message=CRASHED))  # fmt: skip


def history(logged: Logged, delivery: int) -> list[AttemptRecord]:
    """The attempts before delivery `delivery`: those the last `attempt_failed` carries, and a
    lost one if the last `started` attempt never ended."""
    previous: list[AttemptRecord] = []
    if logged.attempt_failed is not None:
        previous = [*logged.attempt_failed.history, logged.attempt_failed.record]
    started = logged.started
    if started is not None:
        # What the last attempt knew when it started: attempts lost before it, when it was
        # lost in turn (two crashes in a row) and no `attempt_failed` holds them.
        known = {a.attempt for a in previous}
        previous += [a for a in started.history if a.attempt not in known]
    known = {a.attempt for a in previous}
    if started is not None and started.attempt < delivery and started.attempt not in known:
        previous.append(lost(started))
    return sorted((a for a in previous if a.attempt < delivery), key=lambda a: a.attempt)


# One attempt: its events and what follows it.


@dataclass(frozen=True)
class Ended:
    """An outcome is stored already (the executor died before its ack): ack, run nothing."""


@dataclass(frozen=True)
class Retry:
    """Record the failed attempt; the job comes back after `delay_ms` (JetStream's nak delay)."""

    event: ExecutionAttemptFailed

    @property
    def delay_ms(self) -> int:
        return self.event.retry_in_ms


@dataclass(frozen=True)
class Finish:
    """Record the terminal event and ack the job."""

    event: ExecutionCompleted | ExecutionFailed


@dataclass(frozen=True)
class Attempt:
    """Attempt `number` of a job, after the attempts in `history`."""

    job: ExecutionJob
    number: int
    history: list[AttemptRecord] = field(default_factory=list)

    def started(self, instance_id: str, cold: bool, at: datetime) -> ExecutionStarted:
        job = self.job
        return ExecutionStarted(
            event_id=f"{job.execution_id}-started-{self.number}",
            execution_id=job.execution_id,
            function_id=job.function.id,
            function_version=job.function.version,
            instance_id=instance_id,
            attempt=self.number,
            cold_start=cold,
            history=self.history,
            occurred_at=at,
            owner=job.function.owner,
        )

    def record(self, started_at: datetime, result: RunResult) -> AttemptRecord:
        return AttemptRecord(
            attempt=self.number,
            instance_id=result.instance_id,
            cold_start=result.cold_start,
            duration_ms=result.duration_ms,
            started_at=started_at,
            ended_at=started_at + timedelta(milliseconds=result.duration_ms),
            error=None if result.ok else error_of(result.error_kind, result.error),
        )

    def outcome(self, started_at: datetime, result: RunResult) -> Retry | Finish:
        """Retry a retryable failure while the function's retries last; else end the execution
        with every attempt in its history."""
        job, record = self.job, self.record(started_at, result)
        if not result.ok and should_retry(result.error_kind, self.number, job.function.retry_count):
            return Retry(
                ExecutionAttemptFailed(
                    event_id=f"{job.execution_id}-attempt-{self.number}-failed",
                    execution_id=job.execution_id,
                    function_id=job.function.id,
                    record=record,
                    retry_in_ms=backoff_ms(self.number),
                    history=self.history,
                    owner=job.function.owner,
                )
            )
        return Finish(terminal(job, [*self.history, record], result))


def next_attempt(job: ExecutionJob, delivery: int, logged: Logged) -> Ended | Attempt:
    """What a delivery does, given what the log holds for its execution."""
    if logged.ended is not None:
        return Ended()
    return Attempt(job, delivery, history(logged, delivery))


def terminal(
    job: ExecutionJob, attempts: list[AttemptRecord], result: RunResult
) -> ExecutionCompleted | ExecutionFailed:
    """The terminal event: durations summed over the attempts, one retry per attempt after the
    first, the cold starts counted; the last run's output and logs."""
    output = json.loads(result.output) if result.ok and result.output is not None else None
    fields: dict[str, Any] = {
        "execution_id": job.execution_id,
        "function_id": job.function.id,
        "function_name": job.function.name,
        "function_version": job.function.version,
        "tier": job.function.tier,
        "input": job.input,
        "logs": result.logs,
        "attempts": attempts,
        "start_time": attempts[0].started_at,
        "end_time": attempts[-1].ended_at,
        "duration_ms": round(sum(a.duration_ms for a in attempts), 3),
        "retry_count": len(attempts) - 1,
        "cold_starts": sum(1 for a in attempts if a.cold_start),
        "input_bytes": job.input_bytes,
        "output_bytes": len(result.output.encode()) if result.ok and result.output else 0,
        "instance_id": result.instance_id,
        "mode": job.mode,
        "owner": job.function.owner,
    }
    if result.ok:
        return ExecutionCompleted(event_id=f"{job.execution_id}-completed", output=output, **fields)
    error = error_of(result.error_kind, result.error)
    return ExecutionFailed(event_id=f"{job.execution_id}-failed", error=error, **fields)


def without_payload(event: Event) -> ExecutionFailed:
    """A terminal event over the message limit, recorded without its input, output and logs, as
    a failure saying why (the run is still billed: its figures stay)."""
    if not isinstance(event, ExecutionCompleted | ExecutionFailed):
        raise ValueError(f"{event.type} event over the message limit")
    fields = event.model_dump(
        exclude={"event_id", "type", "schema_version", "error", "output", "input", "logs"}
    )
    return ExecutionFailed(
        event_id=f"{event.execution_id}-failed",
        error=ExecutionError(kind="runtime", message=TOO_LARGE),
        input=None,
        logs=[],
        **fields,
    )


def given_up(job: ExecutionJob, delivery: int, reason: str, now: datetime) -> ExecutionFailed:
    """The executor itself kept failing on this job: end it as failed rather than loop."""
    record = AttemptRecord(attempt=delivery, instance_id="none", cold_start=False, duration_ms=0.0,
                           started_at=now, ended_at=now,
                           error=ExecutionError(kind="crash", message=reason[:4096]))  # fmt: skip
    result = RunResult(
        False,
        "none",
        False,
        0.0,
        error_kind="crash",
        error=f"the executor could not run this execution: {reason[:1000]}",
    )
    event = terminal(job, [record], result)
    assert isinstance(event, ExecutionFailed)
    return event
