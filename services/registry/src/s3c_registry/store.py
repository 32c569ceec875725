"""The functions read model in MongoDB, read: the `FunctionStore` port over pymongo. The
projection (`projections.FunctionsProjection`) writes it: one document per function, a
tombstone once deleted, with the stream sequence of its last event (`_seq`)."""

from __future__ import annotations

from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import FunctionState
from s3c_events.registry import Status
from s3c_runtime.mongo import Doc

from s3c_registry.ports import Stored
from s3c_registry.projections import from_doc


async def ensure_indexes(collection: AsyncCollection[Doc]) -> None:
    await collection.create_index("name")
    await collection.create_index("createdAt")


class MongoFunctionStore:
    def __init__(self, collection: AsyncCollection[Doc]) -> None:
        self.collection = collection

    async def _find(self, query: Doc) -> Stored | None:
        doc = await self.collection.find_one({**query, "deleted": False})
        if doc is None:
            return None
        return Stored(from_doc(doc), int(doc.get("_seq", 0)))

    async def by_id(self, function_id: str) -> Stored | None:
        return await self._find({"_id": function_id})

    async def by_name(self, name: str) -> Stored | None:
        return await self._find({"name": name})

    async def list(self, status: Status | None = None) -> list[FunctionState]:
        query: Doc = {"deleted": False}
        if status:
            query["status"] = status
        docs = await self.collection.find(query).sort("createdAt", -1).to_list()
        return [from_doc(d) for d in docs]
