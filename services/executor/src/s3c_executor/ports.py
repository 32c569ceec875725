"""The ports the executor's handlers depend on: the execution event log, the sandbox runner, the
read models (queries), the function catalog and the work-queue outbox (intake).

Production adapters: `stream.JetStreamEventLog` / `stream.JetStreamOutbox`, the sandbox `Pool`
itself (a `Runner`), `store.MongoExecutionStore` and `catalog.FunctionCatalog`; unit tests pass
in-memory fakes behind the same ports.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Protocol

from s3c_events import Event, ExecutionJob, FunctionState
from s3c_runtime.mongo import Doc

from s3c_executor.domain.attempts import RunResult

OnStart = Callable[[str, bool], Awaitable[None]]  # (instance id, cold start)


class OverMessageLimit(Exception):
    """The event does not fit in one NATS message (input, output and logs are too large)."""


class EventLog(Protocol):
    """The `execution.*` events in their stream."""

    async def last(self, execution_id: str, kind: str) -> Event | None:
        """The last stored event of type `kind` (e.g. `started`) of one execution, if any."""
        ...

    async def publish(self, event: Event) -> None:
        """Append the event; a repeated event id is dropped. Raises `OverMessageLimit` if it is
        over the message limit."""
        ...


class Runner(Protocol):
    """The sandbox pool (`sandbox.pool.Pool.run`)."""

    async def run(
        self,
        key: str,
        code: str,
        timeout_ms: int,
        memory_mb: int,
        input_json: str,
        on_start: OnStart | None = None,
    ) -> RunResult:
        """Run `code`'s entry point on `input_json` on a free worker (warm for `key` if one is);
        `on_start(instance_id, cold)` is awaited once the worker is chosen."""
        ...


class ExecutionStore(Protocol):
    """The executor's read models: one record per execution and the roll-ups (`domain/stats`).
    Documents come back as stored."""

    async def execution(self, execution_id: str) -> Doc | None: ...

    def executions(
        self, function_id: str | None, status: str | None, limit: int, owner: str | None = None
    ) -> AsyncIterator[Doc]:
        """Records, newest first (by `createdAt`), of one function, status and owner if given."""
        ...

    async def rollup(self, key: str) -> Doc | None:
        """One roll-up document by its key (`stats.GLOBAL`, `stats.function_key(...)`,
        `stats.owner_key(...)`)."""
        ...

    async def minute_rollups(
        self, minutes: Sequence[str], owner: str | None = None
    ) -> dict[str, Doc]:
        """The per-minute roll-ups of these minutes (`YYYY-MM-DDTHH:MM`) that have one, by
        minute: the system's, or one owner's."""
        ...

    def function_rollups(self, owner: str | None = None) -> AsyncIterator[Doc]:
        """Every function's roll-up (of one owner's functions if given)."""
        ...


class Functions(Protocol):
    async def find(
        self, function_id: str | None = None, name: str | None = None, owner: str | None = None
    ) -> FunctionState:
        """The function by id, else by name within `owner` (None: local mode's)."""
        ...


class Outbox(Protocol):
    async def queue(self, job: ExecutionJob) -> None:
        """Put the job on the work queue (a repeated job with the same execution id is dropped)."""

    async def record(self, event: Event) -> None:
        """Append an event to its stream (a repeated event id is dropped)."""
