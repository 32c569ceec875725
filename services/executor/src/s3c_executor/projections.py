"""The executor's read model: one record per execution, folded from the execution.* stream."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import streams, subjects
from s3c_runtime.mongo import Doc, bulk_apply, fold_by_aggregate, guarded_upsert
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
        finished: list[dict[str, Any]] = []

        def fold(doc: Doc | None, events: list[Any]) -> dict[str, Any]:
            record = {k: v for k, v in doc.items() if k not in ("_id", "_seq")} if doc else None
            before = (record or {}).get("status")
            for event in events:
                record = evolve(record, event)
            assert record is not None
            if before not in TERMINAL and record.get("status") in TERMINAL:
                finished.append(record)
            return {"$set": record}

        await fold_by_aggregate(target, batch, fold)
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
