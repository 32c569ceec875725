"""The executor's read model: one record per execution, folded from the execution.* stream."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import streams, subjects
from s3c_runtime.mongo import Doc, bulk_apply, guarded_upsert
from s3c_runtime.projector import Applied

from s3c_executor.domain.executions import evolve

COLLECTION = "executions"


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
        for eid, items in by_execution.items():
            doc = stored.get(eid)
            seen = int(doc.get("_seq", 0)) if doc else 0
            fresh = [i for i in items if i.seq > seen]
            if not fresh:
                continue
            record: dict[str, Any] | None = (
                {k: v for k, v in doc.items() if k not in ("_id", "_seq")} if doc else None
            )
            for item in fresh:
                record = evolve(record, item.event)
            ops.append(guarded_upsert(eid, fresh[-1].seq, {"$set": record}))
        await bulk_apply(target, ops)


async def ensure_indexes(collection: AsyncCollection[Doc]) -> None:
    await collection.create_index([("functionId", 1), ("createdAt", -1)])
    await collection.create_index([("status", 1), ("createdAt", -1)])
    await collection.create_index([("createdAt", -1)])


def view(doc: Doc) -> dict[str, Any]:
    record = {k: v for k, v in doc.items() if k not in ("_seq", "terminalEventId")}
    record["_id"] = record.get("id", doc["_id"])
    if "coldStart" in record:
        record["coldStart"] = bool(record["coldStart"])  # the embedded store returns 1/0
    return record
