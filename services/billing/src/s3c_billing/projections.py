"""Billing's projections: each keeps read models from one stream (idempotent, batched).
What the read models hold is described in `store`; the ledger's rules are in `domain.ledger`."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import (
    ExecutionCompleted,
    ExecutionFailed,
    FunctionDeleted,
    FunctionRegistered,
    FunctionUpdated,
    streams,
    subjects,
    tiers,
)
from s3c_runtime.mongo import Doc, bulk_apply
from s3c_runtime.projector import Applied

from s3c_billing.domain.costs import canonical, hour_bucket, scaling_cost
from s3c_billing.domain.ledger import Costed, cost_record, pick_tier, plan_batch, rollup_ids
from s3c_billing.ports import LedgerStore, Publisher
from s3c_billing.store import CHARGES, RECORDS, ROLLUPS, VERSIONS, MongoCostStore


async def bill_batch(
    store: LedgerStore, batch: Sequence[Applied], publish: Publisher | None = None
) -> list[Costed]:
    """Cost the batch's terminal events into the ledger and announce the records it bills.

    Loads what the batch touches, lets the ledger decide, then writes the records before the
    roll-ups: after a crash between the two, the batch is applied again, finds its records and
    rolls up what the roll-ups' sequences say they lack. Returns the records billed.
    """
    terminal = [
        (i.seq, i.event) for i in batch if isinstance(i.event, ExecutionCompleted | ExecutionFailed)
    ]
    if not terminal:
        return []
    known = await store.version_tiers({e.function_id for _, e in terminal})
    candidates = [Costed(seq, cost_record(e, pick_tier(e, known))) for seq, e in terminal]
    plan = plan_batch(
        candidates,
        await store.record_seqs({c.execution_id for c in candidates}),
        await store.rollups(rollup_ids(candidates)),
    )
    await store.insert_records(plan.new)
    await store.save_rollups(plan.rollups)
    if publish is not None:
        # Deterministic event ids: a batch replayed after a crash publishes no duplicates.
        for costed in plan.counted:
            await publish(costed.record)
    return plan.counted


class FunctionVersionsProjection:
    """Tier inputs per function version, the code-storage lifetime and the owner of each
    function."""

    name = "billing-functions"
    stream = streams.FUNCTIONS
    filter_subject = subjects.FUNCTION_EVENTS
    collection = VERSIONS

    async def apply(self, target: AsyncCollection[Doc], batch: Sequence[Applied]) -> None:
        ops = []
        for item in batch:
            event = item.event
            if isinstance(event, FunctionRegistered | FunctionUpdated):
                fn = event.function
                tier = tiers.determine_tier(len(fn.code), fn.config.timeout)
                version = {
                    "codeBytes": len(fn.code.encode()),
                    "timeout": fn.config.timeout,
                    "tier": tier,
                    "at": event.occurred_at,
                }
                ops.append(
                    UpdateOne(
                        {"_id": fn.id},
                        {"$set": {f"versions.{fn.version}": version, "name": fn.name,
                                  "owner": fn.owner},
                         "$setOnInsert": {"storedFrom": event.occurred_at}},
                        upsert=True,
                    )
                )  # fmt: skip
            elif isinstance(event, FunctionDeleted):
                ops.append(
                    UpdateOne(
                        {"_id": event.function_id},
                        {"$set": {"storedUntil": event.occurred_at}},
                        upsert=True,
                    )
                )
        await bulk_apply(target, ops)


class CostsProjection:
    """Costs every terminal execution event once; keeps the roll-ups (`bill_batch`)."""

    name = "billing-costs"
    stream = streams.EXECUTIONS
    filter_subject = subjects.EXECUTION_EVENTS
    collection = RECORDS

    def __init__(
        self, rollups: str = ROLLUPS, versions: str = VERSIONS, publish: Publisher | None = None
    ) -> None:
        self.rollups = rollups
        self.versions = versions
        self.publish = publish  # None when rebuilding: a replay announces nothing

    async def apply(self, target: AsyncCollection[Doc], batch: Sequence[Applied]) -> None:
        store = MongoCostStore(
            target.database, records=target.name, rollups=self.rollups, versions=self.versions
        )
        await bill_batch(store, batch, self.publish)


class ScalingChargesProjection:
    """One system charge per scaling event."""

    name = "billing-scaling"
    stream = streams.SCALING
    filter_subject = subjects.SCALING_EVENTS
    collection = CHARGES

    async def apply(self, target: AsyncCollection[Doc], batch: Sequence[Applied]) -> None:
        ops = [
            UpdateOne(
                {"_id": item.event.event_id},
                {"$setOnInsert": {"cost": canonical(scaling_cost(1)), "at": item.event.occurred_at,
                                  "hour": hour_bucket(item.event.occurred_at), "type": item.event.type}},
                upsert=True,
            )
            for item in batch
        ]  # fmt: skip
        await bulk_apply(target, ops)
