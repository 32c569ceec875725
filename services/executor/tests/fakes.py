"""In-memory fakes behind the executor's ports (no servers), and builders of jobs and runs.

`InMemoryEventLog` keeps events as wire bytes on their subjects, as the stream does, so what a
redelivery reads back has been through the wire: it drops a repeated event id (`Nats-Msg-Id`)
and refuses an event over the message limit. `ScriptedRunner` answers runs from a script, and
can die part way through a run (after the worker was chosen), like a killed executor.
`InMemoryExecutionStore` folds events with the projection's own rules (`domain/executions`,
`domain/stats`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from s3c_events import Event, ExecutionJob, FunctionSnapshot, decode_event, tiers
from s3c_events.executor import input_bytes
from s3c_events.owners import owner_of
from s3c_events.subjects import event_subject
from s3c_executor.domain import stats
from s3c_executor.domain.attempts import RunResult
from s3c_executor.domain.executions import evolve
from s3c_executor.ports import OnStart, OverMessageLimit
from s3c_runtime.mongo import Doc

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
MAX_PAYLOAD = 1024 * 1024  # the NATS server's default max_payload
ADD = "function add(a, b) { return a + b; }"


class Crash(Exception):
    """The executor process died here (on purpose)."""


# Builders.


def job(
    execution_id: str = "e1",
    *,
    retry_count: int = 3,
    runtime: str = "javascript",
    tier: tiers.Tier = "basic",
    input: Any = (1, 2),
    mode: str = "async",
    owner: str = "local",
    function_id: str = "f1",
) -> ExecutionJob:
    value = list(input) if isinstance(input, tuple) else input
    function = FunctionSnapshot(id=function_id, name="add", version=2, code=ADD, runtime=runtime,
                                timeout=5000, retry_count=retry_count, tier=tier,
                                owner=owner)  # fmt: skip
    return ExecutionJob(
        execution_id=execution_id,
        function=function,
        input=value,
        input_bytes=input_bytes(value),
        requested_at=T0,
        mode=mode,
    )


def ok(
    output: str = "3",
    *,
    ms: float = 5.0,
    cold: bool = False,
    instance: str = "i-1",
    logs: list[str] | None = None,
) -> RunResult:
    return RunResult(True, instance, cold, ms, output=output, logs=logs or [])


def failure(kind: str = "runtime", message: str = "boom", *, ms: float = 7.0) -> RunResult:
    return RunResult(False, "i-1", False, ms, error_kind=kind, error=message, logs=["before"])


@dataclass(frozen=True)
class Dies:
    """A script step: the run starts on `instance`, then the executor dies under it."""

    instance: str = "i-1"
    cold: bool = False


# Ports.


class InMemoryEventLog:
    """The `EventLog` port over a list of (subject, wire bytes)."""

    def __init__(self, max_payload: int = MAX_PAYLOAD) -> None:
        self.max_payload = max_payload
        self.stored: list[tuple[str, bytes]] = []
        self.ids: set[str] = set()
        self.lookups: list[tuple[str, str]] = []
        self.refused: list[Event] = []  # over the message limit

    async def last(self, execution_id: str, kind: str) -> Event | None:
        self.lookups.append((execution_id, kind))
        subject = event_subject("execution", execution_id, kind)
        for stored_subject, data in reversed(self.stored):
            if stored_subject == subject:
                return decode_event(stored_subject, data)
        return None

    async def publish(self, event: Event) -> None:
        data = event.to_wire()
        if len(data) > self.max_payload:
            self.refused.append(event)
            raise OverMessageLimit(event.type)
        if event.event_id in self.ids:
            return  # the stream's duplicate window
        self.ids.add(event.event_id)
        self.stored.append((event.subject, data))

    def events(self) -> list[Event]:
        return [decode_event(subject, data) for subject, data in self.stored]

    def types(self) -> list[str]:
        return [e.type for e in self.events()]


@dataclass
class Call:
    key: str
    code: str
    timeout_ms: int
    memory_mb: int
    input_json: str


@dataclass
class ScriptedRunner:
    """The `Runner` port: each run takes the next step of the script (a result, or `Dies`);
    the last step repeats once the script runs out."""

    script: list[RunResult | Dies]
    calls: list[Call] = field(default_factory=list)

    async def run(
        self,
        key: str,
        code: str,
        timeout_ms: int,
        memory_mb: int,
        input_json: str,
        on_start: OnStart | None = None,
    ) -> RunResult:
        self.calls.append(Call(key, code, timeout_ms, memory_mb, input_json))
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Dies):
            if on_start is not None:
                await on_start(step.instance, step.cold)
            raise Crash("the executor died during the run")
        if on_start is not None:
            await on_start(step.instance_id, step.cold_start)
        return step


class InMemoryExecutionStore:
    """The `ExecutionStore` port over records and roll-ups folded from events, with the read
    model's own rules; counts the reads it answers."""

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self.records: dict[str, Doc] = {}
        self.rollups: dict[str, Doc] = {}
        self.reads = 0
        self.apply(events)

    def apply(self, events: Iterable[Event]) -> None:
        for event in events:
            eid = event.aggregate_id
            self.records[eid] = {"_id": eid, **evolve(self.records.get(eid), event)}
        self.rollups = stats.totals(self.records.values())

    async def execution(self, execution_id: str) -> Doc | None:
        self.reads += 1
        return self.records.get(execution_id)

    async def executions(
        self, function_id: str | None, status: str | None, limit: int, owner: str | None = None
    ) -> AsyncIterator[Doc]:
        self.reads += 1
        found = [
            d
            for d in self.records.values()
            if (not function_id or d.get("functionId") == function_id)
            and (not status or d.get("status") == status)
            and owner in (None, owner_of(d.get("owner")))
        ]
        for doc in sorted(found, key=lambda d: d["createdAt"], reverse=True)[:limit]:
            yield doc

    async def rollup(self, key: str) -> Doc | None:
        self.reads += 1
        return self.rollups.get(key)

    async def minute_rollups(
        self, minutes: Sequence[str], owner: str | None = None
    ) -> dict[str, Doc]:
        self.reads += 1
        keys = [stats.owner_minute_key(owner, minute) for minute in minutes]
        return {self.rollups[k]["minute"]: self.rollups[k] for k in keys if k in self.rollups}

    async def function_rollups(self, owner: str | None = None) -> AsyncIterator[Doc]:
        self.reads += 1
        for key, doc in self.rollups.items():
            mine = owner in (None, owner_of(doc.get("owner")))
            if key.startswith(stats.FUNCTION_PREFIX) and mine:
                yield doc


class NoFunctions:
    """The catalog, for tests that admit nothing."""

    async def find(
        self, function_id: str | None = None, name: str | None = None, owner: str | None = None
    ) -> Any:
        raise AssertionError("no request is admitted in this test")


class NoOutbox:
    async def queue(self, job: ExecutionJob) -> None:
        raise AssertionError("nothing is queued in this test")

    async def record(self, event: Event) -> None:
        raise AssertionError("nothing is recorded through the intake in this test")


# The work queue's side of a delivery.


@dataclass
class Metadata:
    num_delivered: int


@dataclass
class FakeMsg:
    """A JetStream message as `WorkConsumer.handle` uses it: what it was answered with."""

    data: bytes
    num_delivered: int = 1
    subject: str = "s3c.work.execution.basic"
    answers: list[tuple[str, float | None]] = field(default_factory=list)

    @property
    def metadata(self) -> Metadata:
        return Metadata(self.num_delivered)

    async def ack(self) -> None:
        self.answers.append(("ack", None))

    async def nak(self, delay: float | None = None) -> None:
        self.answers.append(("nak", delay))

    async def term(self) -> None:
        self.answers.append(("term", None))

    async def in_progress(self) -> None:
        self.answers.append(("in_progress", None))
