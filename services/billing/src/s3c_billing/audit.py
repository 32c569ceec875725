"""The cost audit: replay every terminal execution event from the event log, recompute its cost
and compare it with the ledger, then check the roll-ups against the ledger's total, overall and
per owner.

It reads the stream a batch at a time and looks up only that batch's records, so memory stays
bounded by the batch (plus the ids of the executions checked), however long the stream. One audit
runs at a time (others wait their turn), and it gives the event loop back after every batch, so
the projections and health answers of this process keep going while it runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing
from decimal import Decimal
from typing import Any

from s3c_events import CostAudit, ExecutionCompleted, ExecutionFailed, streams, subjects
from s3c_events.owners import owner_of
from s3c_runtime.mongo import Doc

from s3c_billing.domain.audit import AuditTally
from s3c_billing.domain.costs import EXACT
from s3c_billing.domain.ledger import SYSTEM, cost_record, pick_tier
from s3c_billing.ports import CostStore, EventLog

# The terminal events only: every execution's `completed` and `failed` events.
TERMINAL_SUBJECTS = tuple(
    f"{subjects.EVENTS}.{kind.AGGREGATE}.*.{kind.TYPE}"
    for kind in (ExecutionCompleted, ExecutionFailed)
)


class CostAuditor:
    def __init__(self, store: CostStore, events: EventLog, batch_size: int = 512) -> None:
        self.store = store
        self.events = events
        self.batch_size = batch_size
        self.running = asyncio.Lock()

    async def audit(self, query: CostAudit) -> dict[str, Any]:
        """Recompute every cost from the event log and compare with the ledger."""
        async with self.running:
            return await self._audit(query)

    async def _audit(self, _: CostAudit) -> dict[str, Any]:
        tally = AuditTally()
        batches = self.events.batches(streams.EXECUTIONS, TERMINAL_SUBJECTS, self.batch_size)
        async with aclosing(batches):
            async for batch in batches:
                await asyncio.sleep(0)  # between batches, let the rest of the service run
                terminal = [
                    i.event
                    for i in batch
                    if isinstance(i.event, ExecutionCompleted | ExecutionFailed)
                ]
                # The first terminal event of an execution is the one that counts.
                firsts = tally.firsts(terminal)
                if not firsts:
                    continue
                known = await self.store.version_tiers({e.function_id for e in firsts})
                stored = await self.store.cost_records([e.execution_id for e in firsts])
                for event in firsts:
                    expected = cost_record(event, pick_tier(event, known)).to_dict()
                    tally.check(expected, stored.get(event.execution_id))
        counted = 0
        async for record in self.store.all_cost_records():
            tally.count_ledger(record)
            counted += 1
            if counted % self.batch_size == 0:
                await asyncio.sleep(0)  # the cursor hands over many records without waiting
        tally.check_total("function roll-ups", await self._sum(self.store.function_rollups(None)))
        tally.check_total("hourly roll-ups", await self._sum(self.store.hourly(SYSTEM)))
        tally.check_owner_totals(
            "function roll-ups", await self._by_owner(self.store.function_rollups(None))
        )
        tally.check_owner_totals(
            "owner roll-ups", await self._by_owner(self.store.owner_hourly(None))
        )
        return tally.report()

    @staticmethod
    async def _sum(docs: AsyncIterator[Doc]) -> Decimal:
        result = Decimal(0)
        async for doc in docs:
            result = EXACT.add(result, Decimal(doc["totalCost"]))
        return result

    @staticmethod
    async def _by_owner(docs: AsyncIterator[Doc]) -> dict[str, Decimal]:
        """Roll-up totals summed per owner."""
        result: dict[str, Decimal] = {}
        async for doc in docs:
            owner = owner_of(doc.get("owner"))
            result[owner] = EXACT.add(result.get(owner, Decimal(0)), Decimal(doc["totalCost"]))
        return result
