"""Billing's read models, each kept by billing alone from the streams (idempotent, batched).

- `function_versions`: tier inputs of every function version, and how long its code is stored.
- `execution_costs`: one cost record per execution (the first terminal event wins).
- `cost_rollups`: per function totals (`fn|<id>`), hourly per function (`hour|<hour>|<id>`) and
  hourly system-wide (`hour|<hour>|*`). Money is kept as decimal strings and summed here, in
  Python, read-modify-write; each document remembers the last stream sequence it applied, so a
  replayed batch changes nothing.
- `scaling_charges`: one charge per scaling event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import (
    ExecutionCompleted,
    ExecutionCosted,
    ExecutionFailed,
    FunctionDeleted,
    FunctionRegistered,
    FunctionUpdated,
    ResourceUsage,
    streams,
    subjects,
    tiers,
)
from s3c_runtime.mongo import Doc, bulk_apply, guarded_upsert
from s3c_runtime.projector import Applied

from s3c_billing.domain.costs import EXACT, canonical, execution_cost, hour_bucket, scaling_cost

MONEY = ("baseCost", "coldStartCost", "retryCost", "dataTransferCost", "totalCost")


def cost_event(event: ExecutionCompleted | ExecutionFailed, tier: tiers.Tier) -> ExecutionCosted:
    c = execution_cost(
        tier,
        event.duration_ms,
        event.cold_starts,
        event.retry_count,
        event.input_bytes,
        event.output_bytes,
    )
    spec = tiers.TIERS[tier]
    return ExecutionCosted(
        event_id=f"{event.execution_id}-costed",
        execution_id=event.execution_id,
        function_id=event.function_id,
        function_name=event.function_name,
        function_version=event.function_version,
        status="completed" if isinstance(event, ExecutionCompleted) else "failed",
        tier=tier,
        base_cost=canonical(c.base_cost),
        cold_start_cost=canonical(c.cold_start_cost),
        retry_cost=canonical(c.retry_cost),
        data_transfer_cost=canonical(c.data_transfer_cost),
        total_cost=canonical(c.total_cost),
        resource_usage=ResourceUsage(memory_mb=spec.memory_mb, cpu_cores=str(spec.cpu_cores)),
        billed_duration_ms=c.billed_duration_ms,
        duration_ms=event.duration_ms,
        cold_starts=event.cold_starts,
        retry_count=event.retry_count,
        input_bytes=event.input_bytes,
        output_bytes=event.output_bytes,
        start_time=event.start_time,
    )


class FunctionVersionsProjection:
    """Tier inputs per function version, and the code-storage lifetime of each function."""

    name = "billing-functions"
    stream = streams.FUNCTIONS
    filter_subject = subjects.FUNCTION_EVENTS
    collection = "function_versions"

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
                        {"$set": {f"versions.{fn.version}": version, "name": fn.name},
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
    """Costs every terminal execution event once; keeps the roll-ups."""

    name = "billing-costs"
    stream = streams.EXECUTIONS
    filter_subject = subjects.EXECUTION_EVENTS
    collection = "execution_costs"

    def __init__(
        self,
        rollups: str = "cost_rollups",
        versions: str = "function_versions",
        publish: Callable[[ExecutionCosted], Awaitable[Any]] | None = None,
    ) -> None:
        self.rollups = rollups
        self.versions = versions
        self.publish = publish  # None when rebuilding: a replay announces nothing

    async def tiers_of(
        self, target: AsyncCollection[Doc], events: Sequence[ExecutionCompleted | ExecutionFailed]
    ) -> list[tiers.Tier]:
        """Each run's tier from the function version's own inputs (one lookup per batch); the
        executor's tier (same rule, same inputs) if billing has not seen that version."""
        ids = list({e.function_id for e in events})
        known = {
            d["_id"]: d.get("versions") or {}
            async for d in target.database[self.versions].find({"_id": {"$in": ids}})
        }
        result: list[tiers.Tier] = []
        for event in events:
            version = known.get(event.function_id, {}).get(str(event.function_version))
            result.append(version["tier"] if version else event.tier)
        return result

    async def apply(self, target: AsyncCollection[Doc], batch: Sequence[Applied]) -> None:
        terminal = [
            (i.seq, i.event)
            for i in batch
            if isinstance(i.event, ExecutionCompleted | ExecutionFailed)
        ]
        if not terminal:
            return
        events = [e for _, e in terminal]
        records = [
            (seq, cost_event(event, tier))  # type: ignore[arg-type]
            for (seq, event), tier in zip(
                terminal, await self.tiers_of(target, events), strict=True
            )  # type: ignore[arg-type]
        ]
        # One record per execution: the first terminal event stored wins ($setOnInsert).
        await bulk_apply(
            target,
            [
                UpdateOne(
                    {"_id": r.execution_id},
                    {"$setOnInsert": {**r.to_dict(), "seq": seq}},
                    upsert=True,
                )
                for seq, r in records
            ],
        )
        winners = {
            d["_id"]: d["seq"]
            async for d in target.find(
                {"_id": {"$in": [r.execution_id for _, r in records]}}, {"seq": 1}
            )
        }
        counted = [(seq, r) for seq, r in records if winners.get(r.execution_id) == seq]
        await self._roll_up(target.database[self.rollups], counted)
        if self.publish is not None:
            # Deterministic event ids: a batch replayed after a crash publishes no duplicates.
            for _, record in counted:  # winners only: a second terminal event is not billed
                await self.publish(record)

    async def _roll_up(
        self, rollups: AsyncCollection[Doc], counted: list[tuple[int, ExecutionCosted]]
    ) -> None:
        contributions: dict[str, list[tuple[int, ExecutionCosted]]] = {}
        for seq, r in counted:
            hour = hour_bucket(r.start_time)
            for key in (f"fn|{r.function_id}", f"hour|{hour}|{r.function_id}", f"hour|{hour}|*"):
                contributions.setdefault(key, []).append((seq, r))
        stored = {d["_id"]: d async for d in rollups.find({"_id": {"$in": list(contributions)}})}
        ops = []
        for key, items in contributions.items():
            doc = stored.get(key, {})
            seen = int(doc.get("_seq", 0))
            fresh = [(s, r) for s, r in items if s > seen]
            if not fresh:
                continue
            sums = {m: Decimal(doc.get(m, "0")) for m in MONEY}
            for _, r in fresh:
                wire = r.to_dict()
                for m in MONEY:
                    sums[m] = EXACT.add(sums[m], Decimal(wire[m]))
            last = fresh[-1][1]
            update: dict[str, Any] = {
                **{m: canonical(v) for m, v in sums.items()},
                "executions": int(doc.get("executions", 0)) + len(fresh),
                "failed": int(doc.get("failed", 0))
                + sum(1 for _, r in fresh if r.status == "failed"),
                "coldStarts": int(doc.get("coldStarts", 0)) + sum(r.cold_starts for _, r in fresh),
                "retries": int(doc.get("retries", 0)) + sum(r.retry_count for _, r in fresh),
            }
            if key.startswith("fn|"):
                update |= {
                    "kind": "function",
                    "functionId": last.function_id,
                    "functionName": last.function_name,
                    "tier": last.tier,
                }
            else:
                _, hour, fid = key.split("|")
                update |= {"kind": "hour", "hour": hour, "functionId": fid}
            ops.append(guarded_upsert(key, max(s for s, _ in fresh), {"$set": update}))
        await bulk_apply(rollups, ops)


class ScalingChargesProjection:
    """One system charge per scaling event."""

    name = "billing-scaling"
    stream = streams.SCALING
    filter_subject = subjects.SCALING_EVENTS
    collection = "scaling_charges"

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


def money_view(doc: Doc | dict[str, Any], fields: Sequence[str] = MONEY) -> dict[str, Any]:
    """Money as numbers (for charts) plus the exact decimal strings (`<field>Exact`)."""
    out: dict[str, Any] = {}
    for field in fields:
        exact = str(doc.get(field, "0"))
        out[field] = float(exact)
        out[f"{field}Exact"] = exact
    return out
