"""The executor's read model: one record per execution, folded from the execution.* stream."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import streams, subjects
from s3c_runtime.mongo import Doc, bulk_apply, guarded_upsert
from s3c_runtime.projector import Applied

from s3c_executor.domain.executions import TERMINAL, evolve

COLLECTION = "executions"
STATS = "execution_stats"
# Upper bounds (ms) of the duration histogram's buckets; a last bucket holds the rest.
BUCKETS_MS = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000)


class ExecutionsProjection:
    name = "executor-executions"
    stream = streams.EXECUTIONS
    filter_subject = subjects.EXECUTION_EVENTS
    collection = COLLECTION

    async def apply(self, target: AsyncCollection[Doc], batch: Sequence[Applied]) -> None:
        by_execution: dict[str, list[Applied]] = {}
        for item in batch:
            by_execution.setdefault(item.event.aggregate_id, []).append(item)
        stored = {d["_id"]: d async for d in target.find({"_id": {"$in": list(by_execution)}})}
        ops = []
        finished: list[dict[str, Any]] = []
        for eid, items in by_execution.items():
            doc = stored.get(eid)
            seen = int(doc.get("_seq", 0)) if doc else 0
            fresh = [i for i in items if i.seq > seen]
            if not fresh:
                continue
            record: dict[str, Any] | None = (
                {k: v for k, v in doc.items() if k not in ("_id", "_seq")} if doc else None
            )
            before = (record or {}).get("status")
            for item in fresh:
                record = evolve(record, item.event)
            assert record is not None
            ops.append(guarded_upsert(eid, fresh[-1].seq, {"$set": record}))
            if before not in TERMINAL and record.get("status") in TERMINAL:
                finished.append(record)
        await bulk_apply(target, ops)
        if finished:
            await self._count(target.database[STATS], finished, batch[-1].seq)

    async def _count(
        self, stats: AsyncCollection[Doc], finished: list[dict[str, Any]], seq: int
    ) -> None:
        """Running totals of finished executions (read-modify-write, guarded by the sequence)."""
        doc = await stats.find_one({"_id": "totals"}) or {}
        if int(doc.get("_seq", 0)) >= seq:
            return
        buckets = list(doc.get("buckets") or [0] * (len(BUCKETS_MS) + 1))
        duration_sum = float(doc.get("durationSum", 0.0))
        for record in finished:
            duration = float(record.get("duration") or 0.0)
            duration_sum += duration
            buckets[bisect_left(BUCKETS_MS, duration)] += 1
        update = {
            "finished": int(doc.get("finished", 0)) + len(finished),
            "durationSum": duration_sum,
            "buckets": buckets,
        }
        await bulk_apply(stats, [guarded_upsert("totals", seq, {"$set": update})])


async def ensure_indexes(collection: AsyncCollection[Doc]) -> None:
    await collection.create_index([("functionId", 1), ("createdAt", -1)])
    await collection.create_index([("status", 1), ("createdAt", -1)])
    await collection.create_index([("createdAt", -1)])
    await collection.create_index([("status", 1), ("endTime", -1)])


def view(doc: Doc) -> dict[str, Any]:
    record = {k: v for k, v in doc.items() if k not in ("_seq", "terminalEventId")}
    record["_id"] = record.get("id", doc["_id"])
    if "coldStart" in record:
        record["coldStart"] = bool(record["coldStart"])  # the embedded store returns 1/0
    return record
