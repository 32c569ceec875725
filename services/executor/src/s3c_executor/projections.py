"""The executor's read models, folded from the execution.* stream: one record per execution, and
the roll-ups the metrics are read from (`executions_stats`, see `domain/stats.py`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from s3c_events import streams, subjects
from s3c_events.owners import owner_of
from s3c_runtime.mongo import Doc, bulk_apply, guarded_upsert, unseen_by_aggregate
from s3c_runtime.poison import ensure_storable
from s3c_runtime.projector import CHECKPOINTS, Applied

from s3c_executor.domain import stats
from s3c_executor.domain.stats import BUCKETS_MS, Delta

__all__ = ["BUCKETS_MS", "COLLECTION", "ExecutionsProjection", "seed_rollups", "stats_of", "view"]

COLLECTION = "executions"


def stats_of(target: AsyncCollection[Doc]) -> AsyncCollection[Doc]:
    """The roll-ups that go with a record collection (`executions` -> `executions_stats`), so a
    rebuild into another collection never touches the live roll-ups."""
    return target.database[f"{target.name}_stats"]


# A run's input and output are the user's JSON: kept as JSON text, so no key, nesting or type
# of theirs meets the store's rules or quirks (the embedded store turns a top-level `true` set
# on an existing document into 1). Records written before this keep their values and read as is.
USER_JSON = ("input", "output")


def stored(record: dict[str, Any]) -> dict[str, Any]:
    """The record as written: `input`/`output` as `inputJson`/`outputJson` text."""
    doc = {k: v for k, v in record.items() if k not in USER_JSON}
    for name in USER_JSON:
        if name in record:
            doc[f"{name}Json"] = json.dumps(record[name], separators=(",", ":"))
    return doc


def unstored(doc: Doc) -> dict[str, Any]:
    record = {k: v for k, v in doc.items() if not (k.endswith("Json") and k[:-4] in USER_JSON)}
    for name in USER_JSON:
        text = doc.get(f"{name}Json")
        if isinstance(text, str):
            record[name] = json.loads(text)
    return record


def record_of(doc: Doc | None) -> dict[str, Any] | None:
    if not doc:
        return None
    return {k: v for k, v in unstored(doc).items() if k not in ("_id", "_seq")}


class ExecutionsProjection:
    """Records and roll-ups, exact under replays and crashes.

    Each event's effect on the roll-ups is derived from the record as stored before it (only
    events the record has not seen count), and each roll-up document applies only the deltas of
    events after its own `_seq`. The roll-ups are written first, the records second: a crash in
    between leaves the records behind, so the batch read again derives the same deltas from the
    same stored records, and the roll-ups (already past those sequences) skip them. The records
    are never ahead of the roll-ups, so no delta is ever lost; nothing relies on the batch being
    cut the same way twice. A record the store would refuse fails the batch before anything is
    written, so the projector parks its event without the roll-ups having counted it.
    """

    name = "executor-executions"
    stream = streams.EXECUTIONS
    filter_subject = subjects.EXECUTION_EVENTS
    collection = COLLECTION

    async def apply(self, target: AsyncCollection[Doc], batch: Sequence[Applied]) -> None:
        records = []
        deltas: dict[str, list[tuple[int, Delta]]] = {}
        for aggregate_id, doc, fresh in await unseen_by_aggregate(target, batch):
            record, changes = stats.fold_events(record_of(doc), [(i.seq, i.event) for i in fresh])
            doc = stored(record or {})
            ensure_storable(doc, f"the record of execution {aggregate_id}")
            for seq, delta in changes:
                deltas.setdefault(delta.key, []).append((seq, delta))
            records.append(guarded_upsert(aggregate_id, fresh[-1].seq, {"$set": doc}))
        await self._roll_up(stats_of(target), deltas)
        await bulk_apply(target, records)

    async def _roll_up(
        self, rollups: AsyncCollection[Doc], deltas: dict[str, list[tuple[int, Delta]]]
    ) -> None:
        """Read-modify-write of the roll-up documents the batch touches: one read, one write."""
        if not deltas:
            return
        stored = {d["_id"]: d async for d in rollups.find({"_id": {"$in": list(deltas)}})}
        writes = stats.roll_up(stored, deltas)
        await bulk_apply(
            rollups,
            [guarded_upsert(key, seq, {"$set": fields}) for key, (seq, fields) in writes.items()],
        )

    async def reset(self, target: AsyncCollection[Doc]) -> None:
        """Before a rebuild into `target`: its roll-ups start from zero too."""
        await stats_of(target).delete_many({})


async def seed_rollups(target: AsyncCollection[Doc], checkpoint: int) -> int:
    """Build the roll-ups from the records where they are missing: all of them for records kept
    by a version without roll-ups, the owners' ones for records kept by a version without owners.
    One scan, once, before the projector starts. Each document is guarded by the checkpoint, as
    if a batch ending there had written it, so events after the checkpoint are added by the
    projector as usual, and a second seeding (a replica starting at the same time, a crash
    half-way) changes nothing. Returns the number of roll-up documents written."""
    rollups = stats_of(target)
    marks = target.database[CHECKPOINTS]
    owners_mark = {"_id": f"{rollups.name}:owners-seeded"}
    has_global = await rollups.find_one({"_id": stats.GLOBAL}) is not None
    if has_global and await marks.find_one(owners_mark):
        return 0
    if not await target.find_one({}):
        # Nothing recorded yet: the projector builds every roll-up from the first event.
        await marks.update_one(owners_mark, {"$set": {"at": checkpoint}}, upsert=True)
        return 0
    fields = ("status", "createdAt", "endTime", "duration", "functionId", "owner")
    docs = stats.totals([d async for d in target.find({}, dict.fromkeys(fields, 1))])
    if has_global:  # only the owners' roll-ups are missing
        docs = {k: v for k, v in docs.items() if stats.is_owners(k)}
    ops = [guarded_upsert(k, checkpoint, {"$set": v}) for k, v in docs.items() if k != stats.GLOBAL]
    await bulk_apply(rollups, ops)
    await marks.update_one(owners_mark, {"$set": {"at": checkpoint}}, upsert=True)
    if stats.GLOBAL in docs:  # last: its presence says the seeding is done
        await bulk_apply(
            rollups, [guarded_upsert(stats.GLOBAL, checkpoint, {"$set": docs[stats.GLOBAL]})]
        )
    return len(docs)


async def ensure_indexes(collection: AsyncCollection[Doc]) -> None:
    await collection.create_index([("functionId", 1), ("createdAt", -1)])
    await collection.create_index([("status", 1), ("createdAt", -1)])
    await collection.create_index([("createdAt", -1)])
    await collection.create_index([("owner", 1), ("createdAt", -1)])
    await collection.create_index([("owner", 1), ("status", 1), ("createdAt", -1)])
    await stats_of(collection).create_index([("kind", 1), ("owner", 1)])


def view(doc: Doc) -> dict[str, Any]:
    record = {k: v for k, v in unstored(doc).items() if k not in ("_seq", "terminalEventId")}
    record["_id"] = record.get("id", doc["_id"])
    record["owner"] = owner_of(record.get("owner"))  # a record kept before owners: local mode's
    if "coldStart" in record:
        record["coldStart"] = bool(record["coldStart"])  # the embedded store returns 1/0
    return record
