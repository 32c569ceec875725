"""MongoDB access through pymongo's AsyncMongoClient, and the idempotent write helpers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import AsyncMongoClient, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

DUPLICATE_KEY = 11000

Doc = dict[str, Any]


def connect_mongo(uri: str) -> AsyncMongoClient[Doc]:
    # No I/O here: the driver connects lazily on first use.
    return AsyncMongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000)


def guarded_upsert(doc_id: Any, seq: int, update: Mapping[str, Any]) -> UpdateOne:
    """An upsert that applies only if the document has not yet seen stream sequence `seq`.

    An older or repeated event matches no document, the upsert then collides on `_id`, and
    that duplicate-key error means "already applied": `bulk_apply` ignores exactly that.
    """
    new_update: dict[str, Any] = {k: dict(v) for k, v in update.items()}
    new_update.setdefault("$set", {})["_seq"] = seq
    return UpdateOne({"_id": doc_id, "_seq": {"$lt": seq}}, new_update, upsert=True)


async def bulk_apply(collection: AsyncCollection[Doc], ops: Sequence[Any]) -> None:
    """Run a batch of writes unordered; a duplicate key from `guarded_upsert` means "done"."""
    if not ops:
        return
    try:
        await collection.bulk_write(list(ops), ordered=False)
    except BulkWriteError as exc:
        real = [e for e in exc.details.get("writeErrors", []) if e.get("code") != DUPLICATE_KEY]
        if real or exc.details.get("writeConcernErrors"):
            raise
