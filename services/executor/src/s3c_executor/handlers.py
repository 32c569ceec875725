"""Executor handlers: run a job's attempt, record it, and decide completed / retry / failed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import timedelta
from typing import Any

from nats.errors import MaxPayloadError
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import (
    AttemptRecord,
    Event,
    ExecutionAttemptFailed,
    ExecutionCompleted,
    ExecutionDetail,
    ExecutionError,
    ExecutionFailed,
    ExecutionJob,
    ExecutionList,
    ExecutionMetrics,
    ExecutionStarted,
    ExecutionTimeseries,
    FunctionRunStats,
    decode_event,
    streams,
    tiers,
    utc_now,
)
from s3c_events.subjects import event_subject
from s3c_runtime.bus import publish_event
from s3c_runtime.mongo import Doc
from s3c_runtime.projector import Projector
from s3c_runtime.service import RequestError

from s3c_executor import projections
from s3c_executor.domain import figures, stats
from s3c_executor.domain.retry import backoff_ms, should_retry
from s3c_executor.sandbox.pool import Pool, RunResult

log = logging.getLogger("s3c.executor")
Rows = list[dict[str, Any]]  # not spelled `list` in the class: it has a method of that name


class Attempt:
    """One run of a job on the pool, with the facts its events need."""

    def __init__(self, job: ExecutionJob, number: int) -> None:
        self.job = job
        self.number = number
        self.instance_id = ""
        self.cold = False
        self.started_at = utc_now()
        self.result: RunResult | None = None

    @property
    def started_event(self) -> ExecutionStarted:
        return ExecutionStarted(
            event_id=f"{self.job.execution_id}-started-{self.number}",
            execution_id=self.job.execution_id,
            function_id=self.job.function.id,
            function_version=self.job.function.version,
            instance_id=self.instance_id,
            attempt=self.number,
            cold_start=self.cold,
            occurred_at=self.started_at,
        )

    def record(self) -> AttemptRecord:
        assert self.result is not None
        r = self.result
        error = (
            None
            if r.ok
            else ExecutionError(kind=r.error_kind or "runtime", message=r.error or "failed")
        )  # type: ignore[arg-type]
        return AttemptRecord(
            attempt=self.number,
            instance_id=r.instance_id,
            cold_start=r.cold_start,
            duration_ms=r.duration_ms,
            started_at=self.started_at,
            ended_at=self.started_at + timedelta(milliseconds=r.duration_ms),
            error=error,
        )


def too_large(event: Event) -> Event:
    if not isinstance(event, ExecutionCompleted | ExecutionFailed):
        raise ValueError(f"{event.type} event over the message limit")
    error = ExecutionError(
        kind="runtime", message="the outcome (input, output and logs) is over 1 MiB"
    )
    fields = event.model_dump(
        exclude={"event_id", "type", "schema_version", "error", "output", "input", "logs"}
    )
    return ExecutionFailed(
        event_id=f"{event.execution_id}-failed", error=error, input=None, logs=[], **fields
    )


def terminal_event(job: ExecutionJob, attempts: list[AttemptRecord], result: RunResult) -> Event:
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
    }
    if result.ok:
        return ExecutionCompleted(event_id=f"{job.execution_id}-completed", output=output, **fields)
    error = ExecutionError(kind=result.error_kind or "runtime", message=result.error or "failed")  # type: ignore[arg-type]
    return ExecutionFailed(event_id=f"{job.execution_id}-failed", error=error, **fields)


class ExecutorHandlers:
    def __init__(self, js: JetStreamContext, pool: Pool, projector: Projector) -> None:
        self.js = js
        self.pool = pool
        self.projector = projector
        self._background: set[asyncio.Task[None]] = set()

    async def _run(self, attempt: Attempt, on_start: Any) -> RunResult:
        fn = attempt.job.function
        if fn.runtime != "javascript":
            attempt.instance_id = "none"
            await on_start("none", False)
            return RunResult(False, "none", False, 0.0, error_kind="unsupported",
                             error=f"the {fn.runtime} runtime is not available yet")  # fmt: skip
        return await self.pool.run(
            f"{fn.id}:{fn.version}",
            fn.code,
            fn.timeout,
            tiers.TIERS[fn.tier].memory_mb,
            json.dumps(attempt.job.input, separators=(",", ":")),
            on_start=on_start,
        )

    async def _record(self, *events: Event) -> None:
        """Publish in order; the read model follows from the stream (batched by the projector)."""
        for event in events:
            try:
                await publish_event(self.js, event)
            except MaxPayloadError:
                # Input, output and logs together are over NATS's message limit: record the
                # outcome without them, as a failure saying why (the run is still billed).
                await publish_event(self.js, too_large(event))

    async def _last(self, execution_id: str, kind: str) -> Event | None:
        subject = event_subject("execution", execution_id, kind)
        with contextlib.suppress(NotFoundError):
            msg = await self.js.get_last_msg(streams.EXECUTIONS.name, subject)
            return decode_event(subject, msg.data)
        return None

    async def handle_job(self, job: ExecutionJob, delivery: int) -> tuple[str, int]:
        """Run one delivery of a job. Returns ("ack", 0) or ("retry", delay_ms).

        The first delivery touches no database: it publishes `started`, runs, publishes the
        outcome. A redelivery first asks the stream whether an outcome is already stored (we
        died before the ack) and which attempts came before.
        """
        previous: list[AttemptRecord] = []
        if delivery > 1:
            for kind in ("completed", "failed"):
                ended = await self._last(job.execution_id, kind)
                if ended is not None:
                    return "ack", 0
            last_failure = await self._last(job.execution_id, "attempt_failed")
            if isinstance(last_failure, ExecutionAttemptFailed):
                previous = [*last_failure.history, last_failure.record]
            # An attempt that started but never ended: its executor died under it. Keep it in
            # the history (its run time is unknown, so it is not billed) and count it as a retry.
            started = await self._last(job.execution_id, "started")
            known = {a.attempt for a in previous}
            if (
                isinstance(started, ExecutionStarted)
                and started.attempt < delivery
                and started.attempt not in known
            ):
                lost = ExecutionError(
                    kind="crash", message="the executor stopped during this attempt"
                )
                previous.append(
                    AttemptRecord(attempt=started.attempt, instance_id=started.instance_id,
                                  cold_start=started.cold_start, duration_ms=0.0,
                                  started_at=started.occurred_at, ended_at=started.occurred_at, error=lost)
                )  # fmt: skip
        attempt = Attempt(job, delivery)

        async def on_start(instance_id: str, cold: bool) -> None:
            attempt.instance_id, attempt.cold, attempt.started_at = instance_id, cold, utc_now()
            await self._record(attempt.started_event)

        result = attempt.result = await self._run(attempt, on_start)
        record = attempt.record()
        history = [a for a in previous if a.attempt < delivery]
        if not result.ok and should_retry(result.error_kind, delivery, job.function.retry_count):
            delay = backoff_ms(delivery)
            await self._record(
                ExecutionAttemptFailed(
                    event_id=f"{job.execution_id}-attempt-{delivery}-failed",
                    execution_id=job.execution_id,
                    function_id=job.function.id,
                    record=record,
                    retry_in_ms=delay,
                    history=history,
                )
            )
            return "retry", delay
        await self._record(terminal_event(job, [*history, record], result))
        return "ack", 0

    async def invoke(self, job: ExecutionJob) -> dict[str, Any]:
        """Sync invoke of an admitted job: one attempt, answered at once; its events are
        stored right after."""
        attempt = Attempt(job, 1)

        async def on_start(instance_id: str, cold: bool) -> None:
            attempt.instance_id, attempt.cold, attempt.started_at = instance_id, cold, utc_now()

        result = attempt.result = await self._run(attempt, on_start)
        record = attempt.record()
        terminal = terminal_event(job, [record], result)
        task = asyncio.create_task(self._publish_quietly(attempt.started_event, terminal))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return {
            "executionId": job.execution_id,
            "status": "completed" if result.ok else "failed",
            "outputJson": result.output if result.ok else None,  # parsed by the gateway
            "error": None if result.ok else result.error,
            "errorKind": None if result.ok else result.error_kind,
            "duration": result.duration_ms,
            "coldStart": result.cold_start,
            "instanceId": result.instance_id,
            "logs": result.logs,
            "functionVersion": job.function.version,
        }

    async def _publish_quietly(self, *events: Event) -> None:
        for event in events:
            for _ in range(5):
                try:
                    await self._record(event)
                    break
                except Exception:
                    log.exception("publishing an execution event failed; retrying")
                    await asyncio.sleep(0.2)

    async def give_up(self, job: ExecutionJob, delivery: int, reason: str) -> None:
        """The executor itself kept failing on this job: end it as failed rather than loop."""
        now = utc_now()
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
        await self._record(terminal_event(job, [record], result))

    async def drain(self) -> None:
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    async def detail(self, query: ExecutionDetail) -> dict[str, Any]:
        doc = await self.projector.target.find_one({"_id": query.execution_id})
        if doc is None:
            raise RequestError("not_found", f"execution '{query.execution_id}' not found")
        return projections.view(doc)

    async def list(self, query: ExecutionList) -> list[dict[str, Any]]:
        filters: dict[str, Any] = {}
        if query.function_id:
            filters["functionId"] = query.function_id
        if query.status:
            filters["status"] = query.status
        cursor = self.projector.target.find(filters).sort("createdAt", -1).limit(query.limit)
        return [projections.view(d) async for d in cursor]

    @property
    def rollups(self) -> AsyncCollection[Doc]:
        return projections.stats_of(self.projector.target)

    async def _minutes(self, first: str, last: str) -> dict[str, Doc]:
        """The minute roll-ups from `first` to `last` (inclusive): one `_id` range read."""
        span = {"$gte": stats.minute_key(first), "$lte": stats.minute_key(last)}
        return {d["minute"]: d async for d in self.rollups.find({"_id": span})}

    async def metrics(self, _: ExecutionMetrics) -> dict[str, Any]:
        """Two reads of the roll-ups, whatever the number of executions (see domain/figures)."""
        now = utc_now()
        recent = stats.minutes_back(now, figures.RECENT_MINUTES)
        total, minutes = await asyncio.gather(
            self.rollups.find_one({"_id": stats.GLOBAL}), self._minutes(recent[0], recent[-1])
        )
        return figures.overview(total, minutes, now)

    async def timeseries(self, query: ExecutionTimeseries) -> dict[str, Any]:
        now = utc_now()
        wanted = stats.minutes_back(now, query.minutes)
        minutes = await self._minutes(wanted[0], wanted[-1])
        return {"bucketSeconds": 60, "points": figures.series(minutes, query.minutes, now)}

    async def function_stats(self, query: FunctionRunStats) -> Rows:
        if query.function_id is not None:
            key = stats.function_key(query.function_id)
            doc = await self.rollups.find_one({"_id": key})
            return [figures.function_stats(query.function_id, doc)]
        prefix = stats.FUNCTION_PREFIX
        span = {"$gte": prefix, "$lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)}
        rows = [
            figures.function_stats(d["functionId"], d)
            async for d in self.rollups.find({"_id": span})
        ]
        return sorted(rows, key=lambda r: r["lastRunAt"] or "", reverse=True)
