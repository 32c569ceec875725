"""MongoDB access through pymongo's AsyncMongoClient, and the idempotent write helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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


async def unseen_by_aggregate(
    target: AsyncCollection[Doc], batch: Sequence[Any]
) -> list[tuple[str, Doc | None, list[Any]]]:
    """Group a batch of events (`Applied` items) by aggregate id, with each aggregate's stored
    document (one query) and the items it has not seen yet (by `_seq`); aggregates with none are
    left out."""
    by_id: dict[str, list[Any]] = {}
    for item in batch:
        by_id.setdefault(item.event.aggregate_id, []).append(item)
    stored = {doc["_id"]: doc async for doc in target.find({"_id": {"$in": list(by_id)}})}
    out = []
    for aggregate_id, items in by_id.items():
        doc = stored.get(aggregate_id)
        seen = int(doc.get("_seq", 0)) if doc else 0
        fresh = [i for i in items if i.seq > seen]
        if fresh:
            out.append((aggregate_id, doc, fresh))
    return out


async def fold_by_aggregate(
    target: AsyncCollection[Doc],
    batch: Sequence[Any],
    fold: Callable[[Doc | None, list[Any]], Mapping[str, Any] | None],
) -> None:
    """Write a batch of events (`Applied` items) into one document per aggregate.

    Events are grouped by aggregate id; `fold(stored_doc, unseen_events)` returns the update for
    that document (or None). Each write is guarded by the last sequence it folds in, so events a
    document has already seen are never folded twice.
    """
    ops = []
    for aggregate_id, doc, fresh in await unseen_by_aggregate(target, batch):
        update = fold(doc, [i.event for i in fresh])
        if update:
            ops.append(guarded_upsert(aggregate_id, fresh[-1].seq, update))
    await bulk_apply(target, ops)
