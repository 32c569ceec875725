"""The executor's read models in MongoDB, read: the `ExecutionStore` port over pymongo.

The records (`executions`) and their roll-ups (`executions_stats`) are written only by the
projection (`projections.ExecutionsProjection`); the queries read them through this adapter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from pymongo.asynchronous.collection import AsyncCollection
from s3c_runtime.mongo import Doc

from s3c_executor.domain import stats
from s3c_executor.projections import stats_of


class MongoExecutionStore:
    """Over the projector's record collection and the roll-ups that go with it."""

    def __init__(self, records: AsyncCollection[Doc]) -> None:
        self.records = records
        self.rollups = stats_of(records)

    async def execution(self, execution_id: str) -> Doc | None:
        return await self.records.find_one({"_id": execution_id})

    async def executions(
        self, function_id: str | None, status: str | None, limit: int
    ) -> AsyncIterator[Doc]:
        filters: Doc = {}
        if function_id:
            filters["functionId"] = function_id
        if status:
            filters["status"] = status
        async for doc in self.records.find(filters).sort("createdAt", -1).limit(limit):
            yield doc

    async def rollup(self, key: str) -> Doc | None:
        return await self.rollups.find_one({"_id": key})

    async def minute_rollups(self, first: str, last: str) -> dict[str, Doc]:
        # One `_id` range read: minute keys sort as their minutes do.
        span = {"$gte": stats.minute_key(first), "$lte": stats.minute_key(last)}
        return {d["minute"]: d async for d in self.rollups.find({"_id": span})}

    async def function_rollups(self) -> AsyncIterator[Doc]:
        prefix = stats.FUNCTION_PREFIX
        span = {"$gte": prefix, "$lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)}
        async for doc in self.rollups.find({"_id": span}):
            yield doc
