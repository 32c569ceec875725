"""The registry's read model: one document per function, kept from the function.* stream
(read through `store.MongoFunctionStore`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import FunctionDeleted, FunctionState, streams, subjects
from s3c_runtime.mongo import Doc, fold_by_aggregate
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
        await fold_by_aggregate(target, batch, self.fold)

    @staticmethod
    def fold(doc: Doc | None, events: list[Any]) -> dict[str, Any]:
        state = from_doc(doc) if doc and not doc.get("deleted") else None
        for event in events:
            state = evolve(state, event)
        if state is not None:
            return {"$set": to_doc(state)}
        last = events[-1]
        name = last.name if isinstance(last, FunctionDeleted) else None
        # A tombstone: a late, older event can never bring a deleted function back.
        return {
            "$set": {"id": last.aggregate_id, "deleted": True, "name": None, "deletedName": name},
            "$unset": {f: "" for f in STATE_FIELDS if f not in ("id", "name")},
        }
