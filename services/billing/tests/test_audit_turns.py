"""The cost audit shares its process with billing's projections: audits asked for at once run one
after the other, and a running audit gives the event loop back between batches."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence

from billing_fakes import InMemoryEventLog, InMemoryStore, terminal
from s3c_billing.audit import CostAuditor
from s3c_billing.projections import bill_batch
from s3c_events import CostAudit
from s3c_events.streams import StreamSpec
from s3c_runtime.projector import Applied

EVENTS = [terminal(f"e{i}", function_id=f"f{i % 3}", duration_ms=10 + i) for i in range(40)]


class WatchedLog(InMemoryEventLog):
    """Counts the readings open at once, and what a concurrent task did while one read."""

    def __init__(self) -> None:
        super().__init__(EVENTS)
        self.open_now = 0
        self.most_open = 0
        self.ticks = 0  # advanced by a task running beside the audit
        self.ticks_at_batch: list[int] = []

    async def batches(
        self, stream: StreamSpec, subjects: Sequence[str], batch_size: int = 256
    ) -> AsyncGenerator[Sequence[Applied], None]:
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            async for batch in super().batches(stream, subjects, batch_size):
                self.ticks_at_batch.append(self.ticks)
                yield batch
        finally:
            self.open_now -= 1


async def billed(log: WatchedLog) -> InMemoryStore:
    store = InMemoryStore()
    await bill_batch(store, log.applied())
    return store


async def test_audits_asked_for_at_once_run_one_after_the_other() -> None:
    log = WatchedLog()
    auditor = CostAuditor(await billed(log), log, batch_size=8)
    reports = await asyncio.gather(*(auditor.audit(CostAudit()) for _ in range(3)))
    assert log.most_open == 1
    assert [r["ok"] for r in reports] == [True, True, True]
    assert len(log.batch_sizes) == 3 * 5  # each audit read the whole log, 5 batches of 8


async def test_a_running_audit_lets_other_tasks_run_between_batches() -> None:
    log = WatchedLog()
    auditor = CostAuditor(await billed(log), log, batch_size=8)
    audit = asyncio.create_task(auditor.audit(CostAudit()))

    async def tick() -> None:
        while not audit.done():
            log.ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    report = await audit
    await ticker
    assert report["ok"] is True
    # Every batch after the first found the other task further on than the batch before.
    steps = list(zip(log.ticks_at_batch, log.ticks_at_batch[1:], strict=False))
    assert len(steps) == 4 and all(later > earlier for earlier, later in steps)
