"""The registry's read model: one document per function, kept from the function.* stream."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import FunctionDeleted, FunctionState, streams, subjects
from s3c_runtime.mongo import Doc, bulk_apply, guarded_upsert
from s3c_runtime.projector import Applied

from s3c_registry.domain.functions import evolve

COLLECTION = "functions"
# Wire (camelCase) names of the state's fields, as stored in the read model.
STATE_FIELDS = tuple(f.alias or n for n, f in FunctionState.model_fields.items())


def to_doc(state: FunctionState) -> Doc:
    return {**state.to_dict(), "deleted": False}


def from_doc(doc: Doc) -> FunctionState:
    return FunctionState.model_validate(doc)


class FunctionsProjection:
    name = "registry-functions"
    stream = streams.FUNCTIONS
    filter_subject = subjects.FUNCTION_EVENTS
    collection = COLLECTION

    async def apply(self, target: AsyncCollection[Doc], batch: Sequence[Applied]) -> None:
        # Events of one function are folded in order; each document is written once per batch,
        # guarded by the last sequence it saw, so a replayed batch changes nothing.
        by_function: dict[str, list[Applied]] = {}
        for item in batch:
            by_function.setdefault(item.event.aggregate_id, []).append(item)
        cursor = target.find({"_id": {"$in": list(by_function)}})
        stored = {doc["_id"]: doc async for doc in cursor}
        ops = []
        for fid, items in by_function.items():
            doc = stored.get(fid)
            seen = int(doc.get("_seq", 0)) if doc else 0
            applied = [i for i in items if i.seq > seen]
            if not applied:
                continue
            state = from_doc(doc) if doc and not doc.get("deleted") else None
            for item in applied:
                state = evolve(state, item.event)
            if state is None:
                last = applied[-1].event
                name = last.name if isinstance(last, FunctionDeleted) else None
                # A tombstone: a late, older event can never bring a deleted function back.
                gone = {f: "" for f in STATE_FIELDS if f not in ("id", "name")}
                update = {
                    "$set": {"id": fid, "deleted": True, "name": None, "deletedName": name},
                    "$unset": gone,
                }
            else:
                update = {"$set": to_doc(state)}
            ops.append(guarded_upsert(fid, applied[-1].seq, update))
        await bulk_apply(target, ops)


async def ensure_indexes(collection: AsyncCollection[Doc]) -> None:
    await collection.create_index("name")
    await collection.create_index("createdAt")


async def find(collection: AsyncCollection[Doc], **query: Any) -> tuple[FunctionState, int] | None:
    doc = await collection.find_one({**query, "deleted": False})
    if doc is None:
        return None
    return from_doc(doc), int(doc.get("_seq", 0))


async def list_functions(
    collection: AsyncCollection[Doc], status: str | None = None
) -> list[FunctionState]:
    query: Doc = {"deleted": False}
    if status:
        query["status"] = status
    docs = await collection.find(query).sort("createdAt", -1).to_list()
    return [from_doc(d) for d in docs]
