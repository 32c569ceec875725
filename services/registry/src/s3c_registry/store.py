"""The registry's read models in MongoDB, read: the `FunctionStore` and `KeyStore` ports over
pymongo. The projections (`projections.FunctionsProjection`, `projections.KeysProjection`)
write them: one document per function (a tombstone once deleted) and one per key, each with the
stream sequence of its last event (`_seq`)."""

from __future__ import annotations

from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import FunctionState, KeyView
from s3c_events.owners import LOCAL
from s3c_events.registry import Status
from s3c_runtime.mongo import Doc

from s3c_registry.ports import Stored, StoredKey
from s3c_registry.projections import from_doc, key_from_doc


def owned_by(owner: str) -> Doc:
    """The filter for one owner's documents: those written before owners existed have no
    `owner` and are local mode's."""
    return {"owner": {"$in": [LOCAL, None]}} if owner == LOCAL else {"owner": owner}


async def ensure_indexes(collection: AsyncCollection[Doc]) -> None:
    await collection.create_index("name")
    await collection.create_index([("owner", 1), ("name", 1)])
    await collection.create_index("createdAt")


async def ensure_key_indexes(collection: AsyncCollection[Doc]) -> None:
    await collection.create_index([("owner", 1), ("createdAt", -1)])


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

    async def by_name(self, owner: str, name: str) -> Stored | None:
        return await self._find({"name": name, **owned_by(owner)})

    async def list(
        self, status: Status | None = None, owner: str | None = None
    ) -> list[FunctionState]:
        query: Doc = {"deleted": False}
        if status:
            query["status"] = status
        if owner is not None:
            query.update(owned_by(owner))
        docs = await self.collection.find(query).sort("createdAt", -1).to_list()
        return [from_doc(d) for d in docs]


class MongoKeyStore:
    def __init__(self, collection: AsyncCollection[Doc]) -> None:
        self.collection = collection

    async def by_id(self, key_id: str) -> StoredKey | None:
        doc = await self.collection.find_one({"_id": key_id})
        if doc is None:
            return None
        return StoredKey(key_from_doc(doc), int(doc.get("_seq", 0)))

    async def list(self, owner: str | None = None) -> list[KeyView]:
        query: Doc = {} if owner is None else {"owner": owner}
        docs = await self.collection.find(query).sort("createdAt", -1).to_list()
        return [key_from_doc(d) for d in docs]
