"""The scaling loop: read the work queue's real depth, apply the policy, publish decisions.

Decisions are numbered and appended with optimistic concurrency on the pool's subject, so a
restarted (or second) scaler continues from the last stored decision and never repeats one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from s3c_events import PoolScaledDown, PoolScaledUp

from s3c_scaler.domain.policy import Policy, PoolState, decide
from s3c_scaler.domain.samples import QueueSamples, Sample
from s3c_scaler.domain.waiting import WaitingRuns
from s3c_scaler.ports import DecisionLog, WorkQueue

log = logging.getLogger("s3c.scaler")


class ScalingLoop:
    def __init__(
        self,
        decision_log: DecisionLog,
        queue: WorkQueue,
        policy: Policy,
        interval: float,
        initial: int,
        enabled: bool = True,
        waiting: WaitingRuns | None = None,
    ) -> None:
        self.decision_log = decision_log
        self.queue = queue
        self.policy = policy
        self.interval = interval
        self.initial = initial
        self.enabled = enabled
        self.waiting = waiting or WaitingRuns()
        self.state = PoolState(initial)
        self.seq = 0  # stream sequence of the last decision (0: none yet)
        self.decisions = 0
        self.last_pending: int | None = None
        self.samples = QueueSamples(interval)  # every reading, for the dashboard's queue chart
        self._task: asyncio.Task[None] | None = None

    async def load(self) -> None:
        """Resume from the last decision stored in the stream."""
        last = await self.decision_log.last()
        if last is None:
            self.state, self.seq, self.decisions = PoolState(self.initial), 0, 0
            return
        self.state = PoolState(last.event.instance_count, None, time.monotonic())
        self.seq, self.decisions = last.seq, last.event.decision

    async def pending(self) -> int:
        """Runs waiting: jobs in the work queue not yet handed to an executor, and runs (sync
        invokes) waiting for a free worker inside the executors."""
        return await self.queue.pending() + self.waiting.total(time.monotonic())

    async def tick(self) -> Any:
        pending = await self.pending()
        self.last_pending = pending
        try:
            return await self._decide(pending)
        finally:
            self.samples.add(Sample(time.time(), pending, self.state.instances))

    async def _decide(self, pending: int) -> Any:
        if not self.enabled:
            return None
        decision, state = decide(self.policy, self.state, pending, time.monotonic())
        if decision is None:
            self.state = state
            return None
        number = self.decisions + 1
        cls = PoolScaledUp if decision.action == "scale_up" else PoolScaledDown
        event = cls(
            event_id=f"pool-decision-{number}",
            action=decision.action,
            instance_count=decision.instances,
            previous_count=decision.previous,
            queue_length=decision.queue_length,
            reason=decision.reason,
            decision=number,
        )
        seq = await self.decision_log.append(event, after=self.seq)
        if seq is None:
            await self.load()  # someone else decided first: take theirs, decide again next tick
            return None
        self.state, self.seq, self.decisions = state, seq, number
        log.info(
            "scaled",
            extra={
                "fields": {
                    "action": decision.action,
                    "instances": decision.instances,
                    "pending": pending,
                }
            },
        )
        return event

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scaling tick failed")
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="scaling-loop")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
