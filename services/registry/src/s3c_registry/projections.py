"""The registry's read models, kept from its streams: one document per function (from
`function.*`, read through `store.MongoFunctionStore`) and one per API key (from `key.*`, read
through `store.MongoKeyStore`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import FunctionDeleted, FunctionState, KeyView, streams, subjects
from s3c_runtime.mongo import Doc, fold_by_aggregate
from s3c_runtime.projector import Applied

from s3c_registry.domain import keys
from s3c_registry.domain.functions import evolve

COLLECTION = "functions"
KEYS_COLLECTION = "keys"
# Wire (camelCase) names of the state's fields, as stored in the read model.
STATE_FIELDS = tuple(f.alias or n for n, f in FunctionState.model_fields.items())


def to_doc(state: FunctionState) -> Doc:
    return {**state.to_dict(), "deleted": False}


def from_doc(doc: Doc) -> FunctionState:
    # A document written before owners existed has none: the model reads it as local mode's.
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


def key_from_doc(doc: Doc) -> KeyView:
    return KeyView.model_validate(doc)


class KeysProjection:
    """One document per key: its `KeyView` (never its hash: only the gateways need that, and
    they read it from the stream)."""

    name = "registry-keys"
    stream = streams.KEYS
    filter_subject = subjects.KEY_EVENTS
    collection = KEYS_COLLECTION

    async def apply(self, target: AsyncCollection[Doc], batch: Sequence[Applied]) -> None:
        await fold_by_aggregate(target, batch, self.fold)

    @staticmethod
    def fold(doc: Doc | None, events: list[Any]) -> dict[str, Any] | None:
        key = key_from_doc(doc) if doc else None
        for event in events:
            key = keys.evolve(key, event)
        return {"$set": key.to_dict()} if key is not None else None
