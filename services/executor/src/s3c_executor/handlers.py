"""The job handlers: run a delivery of a queued job (or a sync invoke) on the sandbox and record
its events. What came before, what to record and whether to retry are the domain's decisions
(`domain/attempts.py`); these only read the log, run, and publish."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import Any, Literal

from s3c_events import Event, ExecutionJob, tiers, utc_now

from s3c_executor.domain import attempts
from s3c_executor.domain.attempts import RunResult
from s3c_executor.ports import EventLog, OnStart, OverMessageLimit, Runner

log = logging.getLogger("s3c.executor")
Verdict = tuple[Literal["ack", "retry"], int]  # and the delay before the retry, in ms
ACK: Verdict = ("ack", 0)


class JobHandlers:
    def __init__(self, events: EventLog, runner: Runner) -> None:
        self.events = events
        self.runner = runner
        self._background: set[asyncio.Task[None]] = set()

    async def _run(self, job: ExecutionJob, on_start: OnStart) -> RunResult:
        refused = attempts.unsupported(job)
        if refused is not None:
            await on_start(refused.instance_id, False)
            return refused
        fn = job.function
        return await self.runner.run(
            f"{fn.id}:{fn.version}",
            fn.code,
            fn.timeout,
            tiers.TIERS[fn.tier].memory_mb,
            json.dumps(job.input, separators=(",", ":")),
            on_start=on_start,
        )

    async def _publish(self, event: Event) -> None:
        """Publish; the read model follows from the stream (batched by the projector)."""
        try:
            await self.events.publish(event)
        except OverMessageLimit:
            # Input, output and logs together are over NATS's message limit: record the
            # outcome without them, as a failure saying why (the run is still billed).
            await self.events.publish(attempts.without_payload(event))

    async def _logged(self, execution_id: str) -> attempts.Logged:
        found = await asyncio.gather(
            *(self.events.last(execution_id, kind) for kind in attempts.LOOKED_UP)
        )
        return attempts.Logged.of(found)

    async def handle_job(self, job: ExecutionJob, delivery: int) -> Verdict:
        """Run one delivery of a job: ("ack", 0), or ("retry", delay_ms) for a nak with delay.

        The first delivery touches no database: it publishes `started`, runs, publishes the
        outcome. A redelivery first asks the stream whether an outcome is already stored (we
        died before the ack) and which attempts came before.
        """
        logged = await self._logged(job.execution_id) if attempts.reads_log(delivery) else None
        step = attempts.next_attempt(job, delivery, logged or attempts.NOTHING)
        if isinstance(step, attempts.Ended):
            return ACK
        attempt = step
        started_at = utc_now()

        async def on_start(instance_id: str, cold: bool) -> None:
            nonlocal started_at
            started_at = utc_now()
            await self._publish(attempt.started(instance_id, cold, started_at))

        result = await self._run(job, on_start)
        outcome = attempt.outcome(started_at, result)
        await self._publish(outcome.event)
        return ("retry", outcome.delay_ms) if isinstance(outcome, attempts.Retry) else ACK

    async def invoke(self, job: ExecutionJob) -> dict[str, Any]:
        """Sync invoke of an admitted job: one attempt, answered at once; its events are
        stored right after."""
        attempt = attempts.Attempt(job, 1)
        began: tuple[str, bool, datetime] = ("", False, utc_now())

        async def on_start(instance_id: str, cold: bool) -> None:
            nonlocal began
            began = (instance_id, cold, utc_now())

        result = await self._run(job, on_start)
        instance_id, cold, started_at = began
        terminal = attempts.terminal(job, [attempt.record(started_at, result)], result)
        started = attempt.started(instance_id, cold, started_at)
        task = asyncio.create_task(self._publish_quietly(started, terminal))
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
                    await self._publish(event)
                    break
                except Exception:
                    log.exception("publishing an execution event failed; retrying")
                    await asyncio.sleep(0.2)

    async def give_up(self, job: ExecutionJob, delivery: int, reason: str) -> None:
        """The executor itself kept failing on this job: end it as failed rather than loop."""
        await self._publish(attempts.given_up(job, delivery, reason, utc_now()))

    async def drain(self) -> None:
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
