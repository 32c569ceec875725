"""The executor's read model: one record per execution, folded from the execution.* stream."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import streams, subjects
from s3c_runtime.mongo import Doc, fold_by_aggregate
from s3c_runtime.projector import Applied

from s3c_executor.domain.executions import evolve

COLLECTION = "executions"
# Upper bounds (ms) of the duration histogram's buckets; a last bucket holds the rest.
BUCKETS_MS = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000)


class ExecutionsProjection:
    name = "executor-executions"
    stream = streams.EXECUTIONS
    filter_subject = subjects.EXECUTION_EVENTS
    collection = COLLECTION

    async def apply(self, target: AsyncCollection[Doc], batch: Sequence[Applied]) -> None:
        def fold(doc: Doc | None, events: list[Any]) -> dict[str, Any]:
            record = {k: v for k, v in doc.items() if k not in ("_id", "_seq")} if doc else None
            for event in events:
                record = evolve(record, event)
            return {"$set": record}

        await fold_by_aggregate(target, batch, fold)


async def ensure_indexes(collection: AsyncCollection[Doc]) -> None:
    await collection.create_index([("functionId", 1), ("createdAt", -1)])
    await collection.create_index([("status", 1), ("createdAt", -1)])
    await collection.create_index([("createdAt", -1)])
    await collection.create_index([("status", 1), ("endTime", -1)])
    await collection.create_index([("status", 1), ("duration", 1)])


def view(doc: Doc) -> dict[str, Any]:
    record = {k: v for k, v in doc.items() if k not in ("_seq", "terminalEventId")}
    record["_id"] = record.get("id", doc["_id"])
    if "coldStart" in record:
        record["coldStart"] = bool(record["coldStart"])  # the embedded store returns 1/0
    return record
