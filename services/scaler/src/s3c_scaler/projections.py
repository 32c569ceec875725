"""The scaler's read model: the scaling history, one document per decision."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import PoolScaledDown, PoolScaledUp, streams, subjects
from s3c_runtime.mongo import Doc, bulk_apply
from s3c_runtime.projector import Applied


class HistoryProjection:
    name = "scaler-history"
    stream = streams.SCALING
    filter_subject = subjects.SCALING_EVENTS
    collection = "scaling_history"

    async def apply(self, target: AsyncCollection[Doc], batch: Sequence[Applied]) -> None:
        ops = []
        for item in batch:
            event = item.event
            if not isinstance(event, PoolScaledUp | PoolScaledDown):
                continue
            doc = {
                "action": event.action,
                "instanceCount": event.instance_count,
                "previousCount": event.previous_count,
                "queueLength": event.queue_length,
                "reason": event.reason,
                "decision": event.decision,
                "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
            }
            ops.append(UpdateOne({"_id": event.event_id}, {"$setOnInsert": doc}, upsert=True))
        await bulk_apply(target, ops)
